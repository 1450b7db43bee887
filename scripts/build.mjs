#!/usr/bin/env node
// Builds what the package ships (`npm run build` runs it after `tsc`):
//
//   dist/**            tsc's typed ES modules: the programmatic API (package "exports").
//   dist/bundle/       the CLI, bundled by esbuild (bin/aeturnis-db.js loads it):
//     aeturnis-db.cjs  the whole CLI in one CommonJS file; each command's code, pino, chalk,
//                      cli-table3, verify, lint ... sit behind lazy initialisers (the source's
//                      import()s) and are compiled and run only by the commands that use them
//     embedded-worker.js  the embedded database's worker thread (started by URL, see below)
//     help.txt         `--help` as the CLI draws it 80 columns wide (bin/ prints it as is)
//     *.map            source maps: with AETURNIS_DEBUG=1 a stack trace names src/ files and lines
//
// Why: start-up. Node compiles one file faster than ~60 modules found one by one, and V8 can
// keep a script's compiled code between runs (bin/compile-cache.cjs), not an ES module's on
// Node 20 (bench/README.md, "Where the fixed cost goes").
//
// External (resolved from node_modules at run time, never bundled):
//   @electric-sql/pglite*  PGlite finds its .wasm and .data files next to its own files; it is
//                          an optional dependency (npm install --omit=optional leaves it out)
//   pg-native, pg-cloudflare  optional back ends of pg that the CLI never uses
//
//   node scripts/build.mjs            the bundle (after tsc)
//   node scripts/build.mjs --metafile  also writes dist/bundle/meta.json (what is in the bundle)

import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

rmSync(outdir, { recursive: true, force: true });
const shared = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Maps without the sources (src/ is not shipped): enough to map a stack trace to src/ lines.
  sourcemap: 'linked',
  sourcesContent: false,
  // Whitespace and syntax only: identifiers keep their names (error classes, stack traces).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // The version is known at build time: no package.json read on every start.
  define: { AETURNIS_VERSION: JSON.stringify(version) },
  metafile: true,
  logLevel: 'warning',
};
// The CLI: one CommonJS file, because V8 can keep the compiled code of a script, not of an ES
// module, on Node 20 (bin/compile-cache.cjs). Its dynamic import()s become lazy initialisers:
// what a command does not use is in the file but never compiled or run.
const cli = await build({
  ...shared,
  entryPoints: { 'aeturnis-db': 'src/cli/main.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  external: ['@electric-sql/*', 'pg-native', 'pg-cloudflare'],
  // import.meta.url (the worker's URL, squawk's resolution) is the bundle's own place.
  define: { ...shared.define, 'import.meta.url': '__aeturnisBundleUrl' },
  banner: { js: 'const __aeturnisBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// bin/compile-cache.cjs runs the bundle as a vm script, which has no import(): every import()
// must have been bundled (a lazy initialiser), none left to Node.
const leftToNode = Object.values(cli.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.kind === 'dynamic-import'));
if (leftToNode.length > 0) throw new Error(`the CLI bundle would import() at run time: ${leftToNode.map((i) => i.path).join(', ')}`);

// The embedded database's worker thread: an ES module of its own, written next to the CLI:
// embedded/database.ts starts it as new URL('./embedded-worker.js', import.meta.url), which so resolves
// in the bundle as it does in tsc's dist/embedded/. PGlite (an optional dependency) stays external:
// it finds its .wasm and .data files next to its own files.
const worker = await build({
  ...shared,
  entryPoints: { 'embedded-worker': 'src/embedded/embedded-worker.ts' },
  format: 'esm',
  external: ['@electric-sql/*'],
});

// `aeturnis-db --help` alone, as commander draws it for output that is not a terminal (80
// columns): bin/ prints this file instead of loading the CLI (start-up speed). Made by the CLI
// itself, so it cannot drift from the commands.
const helpScript = `require(${JSON.stringify(`${outdir}/aeturnis-db.cjs`)}).main(['node', 'aeturnis-db', '--help']);`;
const help = execFileSync(process.execPath, ['-e', helpScript], {
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1' },
});
writeFileSync(`${outdir}/help.txt`, help);
if (process.argv.includes('--metafile'))
  writeFileSync(`${outdir}/meta.json`, JSON.stringify({ cli: cli.metafile, worker: worker.metafile }, null, 2));
