// settings.ts: every option resolved as flag > environment > default, empty counting as unset.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsDir } from '../../src/api/options.js';
import { embeddedDirOf } from '../../src/embedded/database.js';
import { resolveLockRetries, DEFAULT_LOCK_RETRY_SCHEDULE } from '../../src/lock-retries/schedule.js';
import { resolveConnection } from '../../src/connection/settings.js';
import { currentEnvironment } from '../../src/environment.js';
import { UsageError } from '../../src/errors.js';
import {
  embeddedDirSetting,
  logFormatSetting,
  migrationsDirSetting,
  partitionsSetting,
  SETTINGS,
  secondsSetting,
  seedsDirSetting,
  tableSetting,
} from '../../src/settings.js';

describe('the order: flag, then environment, then default', () => {
  it('a flag wins over the variable, the variable over the default', () => {
    const env = { AETURNIS_MIGRATIONS_DIR: 'db/migrations', AETURNIS_SEEDS_DIR: 'db/seeds', AETURNIS_TABLE: 'ops.journal' };
    expect(migrationsDirSetting('flag', env)).toBe('flag');
    expect(migrationsDirSetting(undefined, env)).toBe('db/migrations');
    expect(migrationsDirSetting(undefined, {})).toBe('migrations');
    expect(seedsDirSetting(undefined, env)).toBe('db/seeds');
    expect(seedsDirSetting(undefined, {})).toBe('seeds');
    expect(tableSetting(undefined, env)).toBe('ops.journal');
    expect(tableSetting(undefined, {})).toBe('schema_migrations');
    expect(embeddedDirSetting(undefined, { AETURNIS_EMBEDDED_DIR: 'tmp/db' })).toBe('tmp/db');
    expect(embeddedDirSetting(undefined, {})).toBe('.aeturnis/db');
  });
});

describe('one rule for empty values: set but empty is unset', () => {
  const empty = Object.fromEntries(Object.values(SETTINGS).map((setting) => [setting.env, '']));
  const spaces = Object.fromEntries(Object.values(SETTINGS).map((setting) => [setting.env, '  ']));

  it('every path and name falls back to its default', () => {
    for (const env of [empty, spaces]) {
      expect(migrationsDirSetting(undefined, env)).toBe('migrations');
      expect(seedsDirSetting(undefined, env)).toBe('seeds');
      expect(tableSetting(undefined, env)).toBe('schema_migrations');
      expect(embeddedDirSetting(undefined, env)).toBe('.aeturnis/db');
      expect(logFormatSetting(undefined, env)).toBe('human');
      expect(secondsSetting(SETTINGS.wait, undefined, env)).toBeUndefined();
      expect(secondsSetting(SETTINGS.lockTimeout, undefined, env)).toBeUndefined();
      expect(partitionsSetting(env)).toBe(true);
      expect(currentEnvironment(env)).toBeUndefined();
    }
  });

  it('the commands that read the migrations directory read ./migrations, not the current directory', () => {
    expect(migrationsDir({ env: { AETURNIS_MIGRATIONS_DIR: '' } })).toBe(resolve('migrations'));
    expect(migrationsDir({ dir: '', env: {} })).toBe(resolve('migrations'));
    expect(embeddedDirOf(undefined, { AETURNIS_EMBEDDED_DIR: '' })).toBe('.aeturnis/db');
  });

  it('an empty AETURNIS_LOCK_RETRIES is the default schedule', () => {
    expect(resolveLockRetries(undefined, { AETURNIS_LOCK_RETRIES: '' })).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
    expect(resolveLockRetries(undefined, { AETURNIS_LOCK_RETRIES: ' ' })).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
  });

  it('except the connection: an empty DATABASE_URL is exit 2, not the embedded database', () => {
    expect(() => resolveConnection(undefined, { DATABASE_URL: '' })).toThrow(UsageError);
    expect(() => resolveConnection(undefined, { DATABASE_URL: '' })).toThrow('DATABASE_URL is set but empty');
    expect(() => resolveConnection(undefined, { PGHOST: '' })).toThrow('PGHOST is set but empty');
  });
});

describe('bad values: one line naming the flag or the variable', () => {
  it('names the flag when the flag was given, else the variable', () => {
    expect(() => logFormatSetting('xml', {})).toThrow('--log-format must be "human" or "json" (got "xml")');
    expect(() => logFormatSetting(undefined, { AETURNIS_LOG_FORMAT: 'xml' })).toThrow(
      'AETURNIS_LOG_FORMAT must be "human" or "json" (got "xml")',
    );
    expect(() => secondsSetting(SETTINGS.wait, 'soon', {})).toThrow('--wait must be a number of seconds >= 0 (got "soon")');
    expect(() => secondsSetting(SETTINGS.wait, undefined, { AETURNIS_WAIT: 'soon' })).toThrow(
      'AETURNIS_WAIT must be a number of seconds >= 0 (got "soon")',
    );
    expect(() => secondsSetting(SETTINGS.lockTimeout, undefined, { AETURNIS_LOCK_TIMEOUT: '-1' })).toThrow('AETURNIS_LOCK_TIMEOUT');
    expect(secondsSetting(SETTINGS.wait, undefined, { AETURNIS_WAIT: '2.5' })).toBe(2.5);
  });

  it('AETURNIS_PARTITIONS: on/true/yes/1 and off/false/no/0 in any case, anything else exit 2', () => {
    for (const value of ['on', 'ON', 'true', 'yes', '1']) expect(partitionsSetting({ AETURNIS_PARTITIONS: value })).toBe(true);
    for (const value of ['off', 'OFF', ' Off ', 'false', 'no', '0']) expect(partitionsSetting({ AETURNIS_PARTITIONS: value })).toBe(false);
    expect(() => partitionsSetting({ AETURNIS_PARTITIONS: 'sometimes' })).toThrow(UsageError);
    expect(() => partitionsSetting({ AETURNIS_PARTITIONS: 'sometimes' })).toThrow(
      'AETURNIS_PARTITIONS must be "on" or "off" (got "sometimes")',
    );
  });
});
