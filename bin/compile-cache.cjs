'use strict';
// Loads the CLI bundle with V8's compiled code kept between runs: start-up speed.
//
// V8 compiles a function the first time it runs; a run of `status` spends ~20–40 ms of its fixed
// cost compiling. `script.createCachedData()` after the command has run holds every function it
// compiled, and the next run of that command hands it back to V8 (Node 22's
// module.enableCompileCache() does the same for modules; Node 20 has it only for scripts, and
// v8-compile-cache keeps only what is compiled before the script runs, about half of it).
//
// The cache is never required: any failure to read or write it just compiles as usual. V8
// rejects data made by another V8 version, other flags or another source length; the file name
// also holds the install's place, the bundle's size and time and the V8 version, so a rebuilt or
// upgraded CLI never reads another build's code. Where: AETURNIS_COMPILE_CACHE (a directory, or
// `off`), else $XDG_CACHE_HOME/aeturnis-db, else ~/.cache/aeturnis-db: a directory of the user's
// own, never a shared temporary one, where another user could plant code.

const {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { Script } = require('node:vm');
const Module = require('node:module');

/** Loads `bundlePath` (CommonJS) and returns its exports and `save(command)`, to call after the run. */
function loadWithCompileCache(bundlePath) {
  const directory = cacheDirectory(process.env);
  if (!directory) return { exports: require(bundlePath), save() {} };
  const source = readFileSync(bundlePath, 'utf8');
  const stat = statSync(bundlePath);
  const installKey = fnv1a(bundlePath);
  const buildKey = `${installKey}-${process.versions.v8}-${process.arch}-${stat.size}-${Math.trunc(stat.mtimeMs)}`;
  const cached = readCache(directory, buildKey, process.argv);
  const script = new Script(Module.wrap(source), { filename: bundlePath, cachedData: cached?.data });
  const accepted = cached !== undefined && !script.cachedDataRejected;
  const module = { exports: {}, filename: bundlePath };
  script.runInThisContext()(module.exports, Module.createRequire(bundlePath), module, bundlePath, join(bundlePath, '..'));
  return {
    exports: module.exports,
    save(command) {
      if (!command) return; // --help, a usage error: nothing worth keeping
      const file = cacheFile(directory, buildKey, command + fleetSuffix(process.argv));
      if (accepted && cached.file === file) return;
      writeCache(directory, installKey, buildKey, file, script);
    },
  };
}

/** The cache of the command `argv` names (the first word with a cache file), as `{ file, data }`. */
function readCache(directory, buildKey, argv) {
  for (const word of argv.slice(2)) {
    if (!/^[a-z]+$/.test(word)) continue;
    const file = cacheFile(directory, buildKey, word + fleetSuffix(argv));
    let fd;
    try {
      fd = openSync(file, 'r');
      // Only code this user wrote: under sudo, HOME can still be another user's home.
      if (process.getuid && fstatSync(fd).uid !== process.getuid()) continue;
      return { file, data: readFileSync(fd) };
    } catch {
      // No cache for this word: it is a flag's value, or the command has not run yet.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return undefined;
}

// A run over many databases sets a V8 flag (src/cli/fleet/run.ts), and V8 accepts code only
// under the flags it was made with: such runs keep a cache of their own.
function fleetSuffix(argv) {
  return argv.some((arg) => arg.startsWith('--targets')) ? '-fleet' : '';
}

function cacheDirectory(env) {
  const setting = env.AETURNIS_COMPILE_CACHE;
  if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
  if (setting) return setting;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'aeturnis-db');
  try {
    return join(homedir(), '.cache', 'aeturnis-db');
  } catch {
    return undefined;
  }
}

// A short, stable name for an install's place (the cache file names hold no paths).
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function cacheFile(directory, buildKey, command) {
  return join(directory, `${buildKey}-${command}.v8cache`);
}

function writeCache(directory, installKey, buildKey, file, script) {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    // This install's caches of an earlier build are dead weight: remove them. Other installs'
    // (another project's version) stay, or two projects would keep replacing each other's.
    for (const name of readdirSync(directory)) {
      if (name.startsWith(`${installKey}-`) && !name.startsWith(`${buildKey}-`)) rmSync(join(directory, name), { force: true });
    }
  } catch {
    return; // Read-only home, a directory of another user's: run without a cache.
  }
  // Written whole, then renamed: a concurrent run reads the old file or the new one, never half.
  const partial = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A full disk: leave no half file behind.
    try {
      rmSync(partial, { force: true });
    } catch {}
  }
}

module.exports = { loadWithCompileCache };
