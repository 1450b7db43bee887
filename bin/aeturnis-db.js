#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import module from 'node:module';

// `aeturnis-db --version` alone (scripts ask it often): answered without loading the CLI, as
// commander would answer it.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  await new Promise((resolve) => process.stdout.write(`${version}\n`, resolve));
  process.exit(0);
}

// `aeturnis-db --help` alone, where commander would draw it 80 columns wide (not a terminal, or
// an 80-column one): the text the build made with the CLI itself (scripts/build.mjs).
if (args.length === 1 && (args[0] === '--help' || args[0] === '-h') && (!process.stdout.isTTY || process.stdout.columns === 80)) {
  const help = readFileSync(new URL('../dist/bundle/help.txt', import.meta.url), 'utf8');
  await new Promise((resolve) => process.stdout.write(help, resolve));
  process.exit(0);
}

// Node 22.1+: keep V8's compiled code of our modules between runs (start-up speed). In the
// default cache directory (NODE_COMPILE_CACHE, else the OS temporary directory); when that is not
// writable Node just runs without it. Node 20 has no such function: skipped.
try {
  module.enableCompileCache?.();
} catch {
  // Never required.
}

// AETURNIS_DEBUG=1 prints stack traces: map them to src/ (before the bundle loads).
if (process.env.AETURNIS_DEBUG) process.setSourceMapsEnabled(true);

// The CLI as one bundle (scripts/build.mjs): what a command does not use is never loaded.
const { main } = await import('../dist/bundle/aeturnis-db.js');

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
