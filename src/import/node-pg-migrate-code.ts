import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * node-pg-migrate's JavaScript/TypeScript migrations, turned into the SQL node-pg-migrate itself
 * would run: its own MigrationBuilder (what `node-pg-migrate up --dry-run` prints from), loaded
 * from the source project (resolved from SOURCE_DIR, as the project's own `node-pg-migrate`
 * would be), with its own loader (jiti: TypeScript included). The migration code runs in a
 * child process, never in this one: it is the project's code, and it may print or hang.
 */

/** What node-pg-migrate builds for one file, both directions. */
export interface RenderedCode {
  up: string;
  /** undefined: its `down` is `false` (node-pg-migrate refuses to undo it too) or cannot be inferred. */
  down: string | undefined;
  /** Why there is no DOWN, when there is none. */
  downMissing?: string | undefined;
  /** `pgm.noTransaction()` in the up or the down. */
  noTransaction: boolean;
}

/** Every file's outcome, and which node-pg-migrate produced them. */
export interface CodeRendering {
  /** `node-pg-migrate 9.0.0` */
  renderer: string;
  /** By path relative to the source directory: the SQL, or why it could not be built. */
  files: Map<string, RenderedCode | { error: string }>;
}

/** The child's answer follows this line on its stdout (the migrations may print too). */
const MARKER = '@@aeturnis-db:rendered@@';
const TIMEOUT_MS = 120_000;

/** Runs in the child: argv[1] the package's entry (URL), argv[2] the files (JSON). */
const CHILD = `
const [entry, filesJson] = process.argv.slice(1);
const { pathToFileURL } = await import('node:url');
const npm = await import(entry);
const { MigrationBuilder } = npm;
const loader = npm.jiti;
const refuse = () => { throw new Error('it queries the database while building its SQL (pgm.db)'); };
const db = { query: refuse, select: refuse };
const logger = { info() {}, warn() {}, error() {}, debug() {} };
async function build(action, reverse) {
  if (typeof action !== 'function') throw new Error('it exports no up function');
  const pgm = new MigrationBuilder(db, undefined, false, logger);
  if (reverse) pgm.enableReverseMode();
  if (action.length === 2) await new Promise((done) => action(pgm, done)); else await action(pgm);
  return { sql: pgm.getSql(), transaction: pgm.isUsingTransaction() };
}
const out = {};
for (const file of JSON.parse(filesJson)) {
  try {
    let actions = loader ? await loader.import(file) : await import(pathToFileURL(file).href);
    if (actions && typeof actions.up !== 'function' && actions.default) actions = actions.default;
    const up = await build(actions.up, false);
    let down, downMissing;
    if (actions.down === false) downMissing = 'its down is false (node-pg-migrate refuses to undo it too)';
    else {
      try { down = actions.down === undefined ? await build(actions.up, true) : await build(actions.down, false); }
      catch (error) { downMissing = 'its down cannot be built: ' + String(error && error.message).split('\\n')[0]; }
    }
    out[file] = { up: up.sql, down: down && down.sql, downMissing, noTransaction: !up.transaction || (down !== undefined && !down.transaction) };
  } catch (error) {
    out[file] = { error: String(error && error.message).split('\\n')[0] };
  }
}
process.stdout.write('\\n${MARKER}\\n' + JSON.stringify(out));
`;

/**
 * The project's node-pg-migrate (resolved from `sourceDir`), or undefined when it has none.
 */
function findNodePgMigrate(sourceDir: string): { entry: string; version: string; root: string } | undefined {
  const require = createRequire(join(resolve(sourceDir), 'noop.js'));
  try {
    const manifest = require.resolve('node-pg-migrate/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    const root = dirname(dirname(dirname(manifest))); // <project>/node_modules/node-pg-migrate/package.json
    return { entry: require.resolve('node-pg-migrate'), version, root };
  } catch {
    return undefined;
  }
}

/**
 * Asks the project's node-pg-migrate for the SQL of each code migration (paths relative to
 * `sourceDir`); undefined when node-pg-migrate is not installed there. A file it cannot build
 * (it queries the database, throws, has no up) gets its one-line reason.
 */
export function renderNodePgMigrateCode(sourceDir: string, paths: readonly string[]): CodeRendering | undefined {
  if (paths.length === 0) return undefined;
  const found = findNodePgMigrate(sourceDir);
  if (!found) return undefined;
  const renderer = `node-pg-migrate ${found.version}`;
  const absolute = paths.map((path) => resolve(sourceDir, path));
  let stdout: string;
  try {
    stdout = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', CHILD, pathToFileURL(found.entry).href, JSON.stringify(absolute)],
      { cwd: found.root, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const reason = `${renderer} could not load the migrations: ${firstLine(error)}`;
    return { renderer, files: new Map(paths.map((path) => [path, { error: reason }])) };
  }
  const answer = JSON.parse(stdout.slice(stdout.lastIndexOf(MARKER) + MARKER.length)) as Record<string, RenderedCode | { error: string }>;
  return { renderer, files: new Map(paths.map((path, index) => [path, answer[absolute[index] as string] ?? { error: 'not built' }])) };
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr;
  const text = stderr && stderr.trim() !== '' ? stderr : error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return (lines.find((line) => /Error/.test(line)) ?? lines[0] ?? 'unknown error').trim();
}
