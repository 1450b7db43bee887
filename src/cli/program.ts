import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerAdopt } from './commands/adopt.js';
import { registerBaseline } from './commands/baseline.js';
import { registerDown } from './commands/down.js';
import { registerDrift } from './commands/drift.js';
import { registerDump } from './commands/dump.js';
import { registerImport } from './commands/import.js';
import { registerLint } from './commands/lint.js';
import { registerNew } from './commands/new.js';
import { registerPartitions } from './commands/partitions.js';
import { registerRedo } from './commands/redo.js';
import { registerReset } from './commands/reset.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus } from './commands/status.js';
import { registerTypes } from './commands/types.js';
import { registerUp } from './commands/up.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { addFleetJsonOption, assertFleetFlags } from './fleet/index.js';
import { addCommandHelp } from './help.js';

/** Set by the bundler (scripts/build.mjs) to the package's version; undefined in tsc's build. */
declare const AETURNIS_VERSION: string | undefined;

/** The package version: built into the bundle, else read from package.json next to dist/. */
function packageVersion(): string {
  if (typeof AETURNIS_VERSION === 'string') return AETURNIS_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Builds the commander program. Global options are accepted before or after the command name.
 * Errors are not printed by commander: they reach the caller as CommanderError (exitOverride).
 */
export function buildProgram(): Command {
  const program = new Command('aeturnis-db');
  program
    .description('PostgreSQL migrations in plain SQL files, safe under concurrency')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpCommand(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, then PG* variables, then the embedded database)')
    .option('--dir <path>', 'migrations directory (default: AETURNIS_MIGRATIONS_DIR or ./migrations)')
    .option('--table <name>', 'journal table, optionally schema-qualified (default: schema_migrations)')
    .addOption(new Option('--log-format <format>', 'human or json (default: AETURNIS_LOG_FORMAT or human)'))
    .option('--wait <seconds>', 'retry an unreachable database for this long (default: 30)')
    .option('--lock-timeout <seconds>', 'give up waiting for another runner after this long (default: wait)')
    .option(
      '--lock-retries <schedule>',
      'short lock_timeout per migration, retried on this schedule: TIMEOUTS,SLEEPS,BUDGET[,then-wait] (default: AETURNIS_LOCK_RETRIES or 100ms..300ms,50ms..60s,40m)',
    )
    .option('--no-lock-retries', 'no lock_timeout of our own, no retries (also AETURNIS_LOCK_RETRIES=off)')
    .option('--embedded-dir <path>', 'embedded database directory (default: AETURNIS_EMBEDDED_DIR or ./.aeturnis/db)')
    .option(
      '--targets <file>',
      'run the command on every database listed in FILE (one name=URL or URL a line; ${VAR} from the environment)',
    )
    .option('--targets-query <sql>', 'run the command on every database this query returns (columns name, url), run on --database-url')
    .option('--concurrency <n>', 'with --targets: databases worked on at once, one connection each (default: 4)')
    .option('--fail-fast', 'with --targets: start no database after the first failure')
    .option('--canary <n>', 'with --targets: run the first N databases first, the others only if all of them succeed')
    .option('--shard <i/n>', 'with --targets: only shard I of N (a stable split by name); auto/N takes I from JOB_COMPLETION_INDEX + 1');

  registerUp(program);
  registerDown(program);
  registerRedo(program);
  registerStatus(program);
  registerValidate(program);
  registerVerify(program);
  registerDrift(program);
  registerDump(program);
  registerLint(program);
  registerNew(program);
  registerPartitions(program);
  registerSeed(program);
  registerReset(program);
  registerImport(program);
  registerAdopt(program);
  registerBaseline(program);
  registerTypes(program);
  addCommandHelp(program);
  addFleetJsonOption(program);
  program.hook('preAction', (_program, action) => assertFleetFlags(action)); // exit 2 before anything runs
  return program;
}
