/**
 * Which environment a command runs under, decided in one place. A leaf: anything may use it.
 * The embedded database, `seed`, `reset` and the environment `up` records all ask here.
 */
import { envValue, SETTINGS } from './settings.js';

/** Names of environments where dev-only work (seeds, reset, the embedded database) is safe. */
const DEVELOPMENT_ENVIRONMENTS = new Set(['development', 'dev', 'test', 'local']);

/**
 * The environment: `AETURNIS_ENV` when set, else `NODE_ENV`; a value that is empty or only
 * spaces counts as unset.
 */
export function currentEnvironment(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return (envValue(SETTINGS.environment.env, env) ?? envValue(SETTINGS.nodeEnvironment.env, env))?.trim();
}

/** The variable {@link currentEnvironment} took its value from, for messages. */
export function environmentVariable(env: Readonly<Record<string, string | undefined>>): 'AETURNIS_ENV' | 'NODE_ENV' {
  return envValue(SETTINGS.environment.env, env) !== undefined ? 'AETURNIS_ENV' : 'NODE_ENV';
}

/**
 * True for an unset environment and for development, dev, test, local in any case; anything
 * else (production, staging, prod, ...) may be a real database.
 */
export function isDevelopmentEnvironment(name: string | null | undefined): boolean {
  const value = name?.trim();
  return !value || DEVELOPMENT_ENVIRONMENTS.has(value.toLowerCase());
}
