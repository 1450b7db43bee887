#!/usr/bin/env node
// Builds what the package ships (`npm run build` runs it after `tsc`):
//
//   dist/**            tsc's typed ES modules: the programmatic API (package "exports").
//   dist/bundle/       the CLI as one esbuild bundle (bin/aeturnis-db.js loads it):
//     aeturnis-db.js   the entry: commander, the program, the command registry (what --help needs)
//     embedded-worker.js  the embedded database's worker thread (started by URL, see below)
//     *-HASH.js        chunks split off at each dynamic import(): a command's API code, pg, pino,
//                      chalk, cli-table3, the embedded database ... loaded only by the commands
//                      that use them
//     *.map            source maps: with AETURNIS_DEBUG=1 a stack trace names src/ files and lines
//
// Why: start-up. Node compiles one file faster than ~60 modules found one by one, and a command
// loads only the chunks it uses (bench/README.md, "Where the fixed cost goes").
//
// External (resolved from node_modules at run time, never bundled):
//   @electric-sql/pglite*  PGlite finds its .wasm and .data files next to its own files; it is
//                          an optional dependency (npm install --omit=optional leaves it out)
//   pg-native, pg-cloudflare  optional back ends of pg that the CLI never uses
//
//   node scripts/build.mjs            the bundle (after tsc)
//   node scripts/build.mjs --metafile  also writes dist/bundle/meta.json (what is in each chunk)

import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The worker is an entry of its own, written next to the chunks: embedded.ts starts it as
  // new URL('./embedded-worker.js', import.meta.url), which so resolves in the bundle as it
  // does in tsc's dist/db/.
  entryPoints: { 'aeturnis-db': 'src/cli/main.ts', 'embedded-worker': 'src/db/embedded-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  // Maps without the sources (src/ is not shipped): enough to map a stack trace to src/ lines.
  sourcemap: 'linked',
  sourcesContent: false,
  // Whitespace and syntax only: identifiers keep their names (error classes, stack traces).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  external: ['@electric-sql/*', 'pg-native', 'pg-cloudflare'],
  // CommonJS dependencies (pg, pino, commander's CJS build ...) call require() for Node's own
  // modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __aeturnisCreateRequire } from 'node:module'; const require = __aeturnisCreateRequire(import.meta.url);",
  },
  // The version is known at build time: no package.json read on every start.
  define: { AETURNIS_VERSION: JSON.stringify(version) },
  metafile: true,
  logLevel: 'warning',
});

// `aeturnis-db --help` alone, as commander draws it for output that is not a terminal (80
// columns): bin/ prints this file instead of loading the CLI (start-up speed). Made by the CLI
// itself, so it cannot drift from the commands.
const helpScript = `const { main } = await import(${JSON.stringify(`${outdir}/aeturnis-db.js`)}); await main(['node', 'aeturnis-db', '--help']);`;
const help = execFileSync(process.execPath, ['--input-type=module', '-e', helpScript], {
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1' },
});
writeFileSync(`${outdir}/help.txt`, help);
if (process.argv.includes('--metafile')) writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile, null, 2));
