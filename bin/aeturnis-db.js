#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that went away (`aeturnis-db status | head`) is not an error of ours: stop writing.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const code = await main(process.argv);
// Writes to a pipe are asynchronous: exiting before they are flushed would cut the output short
// (a big `status` table or `status --json` piped into another program).
await Promise.all([process.stdout, process.stderr].map((stream) => flushed(stream)));
process.exit(code);

function flushed(stream) {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) return resolve();
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}
