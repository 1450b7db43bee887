/**
 * Every option of aeturnis-db, resolved in one place: the flag (or API option), else the
 * environment variable (`.env` is already in the environment: cli/main.ts loads it without
 * overriding real variables), else the default. One rule for empty values: a value that is
 * empty or only spaces counts as unset, because `.env` files and compose's `${VAR}` leave a
 * variable set but empty. The connection is the exception (README, "Configuration"): an empty
 * DATABASE_URL is a CI secret that did not expand, and connection/settings.ts refuses it
 * (exit 2) rather than fall through to another database.
 *
 * A leaf, cheap to import (no pg, no I/O): the CLI reads it on every start.
 */
import { parseNonNegativeInteger, parseSeconds } from './config.js';
import { UsageError } from './errors.js';

/** The environment settings are read from (process.env unless a caller passes its own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** One option: how a user sets it, and what it is when they don't. */
export interface Setting {
  /** The CLI flag (undefined: environment only). */
  flag?: string;
  /** The environment variable. */
  env: string;
  /** The default, as the README's table shows it (undefined: none). */
  default?: string;
}

/** Every option read from the environment, by name; the defaults live here and nowhere else. */
export const SETTINGS = {
  migrationsDir: { flag: '--dir', env: 'AETURNIS_MIGRATIONS_DIR', default: 'migrations' },
  seedsDir: { flag: '--seeds-dir', env: 'AETURNIS_SEEDS_DIR', default: 'seeds' },
  table: { flag: '--table', env: 'AETURNIS_TABLE', default: 'schema_migrations' },
  wait: { flag: '--wait', env: 'AETURNIS_WAIT', default: '30' },
  lockTimeout: { flag: '--lock-timeout', env: 'AETURNIS_LOCK_TIMEOUT' },
  lockRetries: { flag: '--lock-retries', env: 'AETURNIS_LOCK_RETRIES', default: '100ms..300ms,50ms..60s,40m' },
  logFormat: { flag: '--log-format', env: 'AETURNIS_LOG_FORMAT', default: 'human' },
  embeddedDir: { flag: '--embedded-dir', env: 'AETURNIS_EMBEDDED_DIR', default: '.aeturnis/db' },
  partitions: { flag: '--no-partitions', env: 'AETURNIS_PARTITIONS', default: 'on' },
  environment: { env: 'AETURNIS_ENV' },
  nodeEnvironment: { env: 'NODE_ENV' },
  debug: { env: 'AETURNIS_DEBUG' },
  // Read by bin/compile-cache.cjs before any of src/ loads (and before .env): listed so the
  // README's table is checked against it too.
  compileCache: { env: 'AETURNIS_COMPILE_CACHE' },
  // Set by Kubernetes in each pod of an Indexed Job (0-based); `--shard auto/N` takes shard index + 1.
  jobCompletionIndex: { env: 'JOB_COMPLETION_INDEX' },
} as const satisfies Record<string, Setting>;

/** The libpq variables that say where to connect (pg reads them itself). */
export const LIBPQ_VARIABLES = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'] as const;

/** libpq variables read only to be refused (exit 2): node-postgres ignores them and would connect elsewhere. */
export const REFUSED_LIBPQ_VARIABLES = ['PGHOSTADDR', 'PGSERVICE'] as const;

/**
 * The connection's variables, read by connection/settings.ts and connection/url.ts with
 * their own rule: set but empty is exit 2, never unset (README, "Configuration").
 */
const CONNECTION_VARIABLES = [
  'DATABASE_URL',
  ...LIBPQ_VARIABLES,
  'PGOPTIONS',
  'PGSSLMODE',
  'PGSSLROOTCERT',
  'PGSSLCERT',
  'PGSSLKEY',
  'PGSSLNEGOTIATION',
] as const;

/** Every variable aeturnis-db reads as a setting (the README's configuration table documents each). */
export const SETTING_VARIABLES: readonly string[] = [...Object.values(SETTINGS).map((setting) => setting.env), ...CONNECTION_VARIABLES];

/**
 * The one rule for empty values: undefined, empty or only spaces is unset.
 */
export function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The value of a variable, empty counting as unset. */
export function envValue(name: string, env: Env = process.env): string | undefined {
  return given(env[name]);
}

/** Which source a value came from, for messages: the flag's name or the variable's. */
export interface Resolved {
  value: string;
  source: string;
}

/**
 * A setting's value and where it came from: the flag (or API option), else its variable, else
 * undefined (the caller's default applies).
 */
function resolveSetting(setting: Setting, option: string | undefined, env: Env = process.env): Resolved | undefined {
  const fromOption = given(option);
  if (fromOption !== undefined) return { value: fromOption, source: setting.flag ?? setting.env };
  const fromEnv = envValue(setting.env, env);
  return fromEnv === undefined ? undefined : { value: fromEnv, source: setting.env };
}

/** A setting with a default: the flag, else the variable, else the default. */
function withDefault(setting: Setting & { default: string }, option: string | undefined, env: Env | undefined): string {
  return resolveSetting(setting, option, env)?.value ?? setting.default;
}

/**
 * The migrations directory as given (relative to the working directory).
 */
export function migrationsDirSetting(option: string | undefined, env?: Env): string {
  return withDefault(SETTINGS.migrationsDir, option, env);
}

/** The seeds directory: `--seeds-dir`, AETURNIS_SEEDS_DIR, `seeds`. */
export function seedsDirSetting(option: string | undefined, env?: Env): string {
  return withDefault(SETTINGS.seedsDir, option, env);
}

/** The embedded database's data directory: `--embedded-dir`, AETURNIS_EMBEDDED_DIR, `.aeturnis/db`. */
export function embeddedDirSetting(option: string | undefined, env?: Env): string {
  return withDefault(SETTINGS.embeddedDir, option, env);
}

/** The journal table as spelled (checked later, by identifiers.ts): `--table`, AETURNIS_TABLE, schema_migrations. */
export function tableSetting(option: string | undefined, env?: Env): string {
  return withDefault(SETTINGS.table, option, env);
}

/**
 * `--log-format` / AETURNIS_LOG_FORMAT, checked.
 */
export function logFormatSetting(flag: string | undefined, env?: Env): 'human' | 'json' {
  const resolved = resolveSetting(SETTINGS.logFormat, flag, env);
  const value = resolved?.value ?? SETTINGS.logFormat.default;
  if (value !== 'human' && value !== 'json') {
    throw new UsageError(`${resolved?.source ?? '--log-format'} must be "human" or "json" (got "${value}")`);
  }
  return value;
}

/**
 * A duration in seconds (`--wait`, `--lock-timeout`), undefined when neither flag nor variable is set.
 */
export function secondsSetting(setting: Setting, flag: string | undefined, env?: Env): number | undefined {
  // A flag given as '' is a mistake, not "unset": parseSeconds names it.
  if (flag !== undefined) return parseSeconds(flag, setting.flag ?? setting.env);
  const value = envValue(setting.env, env);
  return value === undefined ? undefined : parseSeconds(value, setting.env);
}

/** AETURNIS_LOCK_RETRIES as written (lock-retries/schedule.ts parses it), undefined when unset or empty. */
export function lockRetriesText(env?: Env): string | undefined {
  return envValue(SETTINGS.lockRetries.env, env);
}

const ON = ['on', 'true', 'yes', '1'];
const OFF = ['off', 'false', 'no', '0'];

/**
 * AETURNIS_PARTITIONS: whether `up`, `reset` and `types` include the partition step (unset or empty: on).
 */
export function partitionsSetting(env?: Env): boolean {
  const value = envValue(SETTINGS.partitions.env, env);
  if (value === undefined) return true;
  const setting = value.trim().toLowerCase();
  if (ON.includes(setting)) return true;
  if (OFF.includes(setting)) return false;
  throw new UsageError(`AETURNIS_PARTITIONS must be "on" or "off" (got "${value}")`);
}

/** JOB_COMPLETION_INDEX as a whole number (undefined when unset or empty), for `--shard auto/N`. */
export function jobCompletionIndexSetting(env?: Env): number | undefined {
  const value = envValue(SETTINGS.jobCompletionIndex.env, env);
  return value === undefined ? undefined : parseNonNegativeInteger(value, SETTINGS.jobCompletionIndex.env);
}

/** AETURNIS_DEBUG: print stack traces of errors (any non-empty value). */
export function debugSetting(env?: Env): boolean {
  return envValue(SETTINGS.debug.env, env) !== undefined;
}
