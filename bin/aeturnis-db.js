#!/usr/bin/env node
// CommonJS (bin/package.json), like the bundle it loads: an ES module entry would start Node's
// ESM loader, ~5 ms of every run (bench/README.md, "Where the fixed cost goes").
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
// `aeturnis-db --version` alone (scripts ask it often): answered without loading the CLI, as
// commander would answer it.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8'));
  printAndExit(`${version}\n`);
} else if (args.length === 1 && (args[0] === '--help' || args[0] === '-h') && (!process.stdout.isTTY || process.stdout.columns === 80)) {
  // `aeturnis-db --help` alone, where commander would draw it 80 columns wide (not a terminal,
  // or an 80-column one): the text the build made with the CLI itself (scripts/build.mjs).
  printAndExit(readFileSync(join(__dirname, '../dist/bundle/help.txt'), 'utf8'));
} else {
  run();
}

async function run() {
  // AETURNIS_DEBUG=1 prints stack traces mapped to src/: the bundle is then loaded as any
  // CommonJS file, whose source map Node applies (the compile cache is for speed only).
  const debug = Boolean(process.env.AETURNIS_DEBUG);
  if (debug) process.setSourceMapsEnabled(true);
  // The CLI as one bundle (scripts/build.mjs), with V8's compiled code kept between runs.
  const bundlePath = join(__dirname, '../dist/bundle/aeturnis-db.cjs');
  const cli = debug ? { exports: require(bundlePath), save() {} } : require('./compile-cache.cjs').loadWithCompileCache(bundlePath);

  // A reader that went away (`aeturnis-db status | head`) is not an error of ours: stop writing.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const code = await cli.exports.main(process.argv);
  cli.save(cli.exports.lastCommand);
  // Writes to a pipe are asynchronous: exiting before they are flushed would cut the output
  // short (a big `status` table or `status --json` piped into another program).
  await Promise.all([process.stdout, process.stderr].map((stream) => flushed(stream)));
  process.exit(code);
}

function printAndExit(text) {
  process.stdout.write(text, () => process.exit(0));
}

function flushed(stream) {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) return resolve();
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}
