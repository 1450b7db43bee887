/**
 * aeturnis-db's programmatic API: the same operations as the CLI, returning typed results
 * instead of printing. Errors are typed classes carrying their exit-code category.
 *
 * @example
 * import { migrate, ValidationError } from 'aeturnis-db';
 *
 * const { applied } = await migrate({ databaseUrl: process.env.DATABASE_URL, dir: 'migrations' });
 * console.log(`database ready, ${applied.length} migration(s) applied`);
 */
export {
  migrate,
  rollback,
  status,
  validate,
  ensurePartitions,
  seed,
  createMigration,
  RunInterruptedError,
  type CommonOptions,
  type MigrateOptions,
  type MigrateResult,
  type RollbackOptions,
  type RollbackResult,
  type StatusResult,
  type ValidateResult,
  type EnsurePartitionsOptions,
  type SeedOptions,
  type RanMigration,
  type MigratorEvent,
} from './migrator.js';
export type { SessionOptions, ExternalConnection } from './db/session.js';
export type { Migration, Section } from './migrations/parse.js';
export type { JournalRow, MigrationStatus, MigrationState } from './migrations/plan.js';
export type { PartitionReport, PartitionDescription, PartitionEvent } from './partitions/ensure.js';
export { parseMigration } from './migrations/parse.js';
export { loadMigrations } from './migrations/discover.js';
export { migrationChecksum } from './migrations/checksum.js';
export {
  AeturnisError,
  UsageError,
  MigrationFileError,
  ValidationError,
  ConnectionError,
  LockTimeoutError,
  MigrationSqlError,
  InterruptedError,
  ExitCode,
} from './errors.js';
