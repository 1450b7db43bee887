/**
 * aeturnis-db's programmatic API: the same operations as the CLI (which is a thin layer over
 * these functions), returning typed results instead of printing. Every option has the CLI's
 * default; connect with `databaseUrl`, your own `pg` Pool/Client (`connection`), or the
 * environment (DATABASE_URL, PG*). Errors are typed classes carrying the CLI's exit code:
 * `MigrationSqlError` (1), `UsageError`/`MigrationFileError` (2), `ValidationError` (3),
 * `ConnectionError`/`LockTimeoutError` (4), `DatabaseError` (1), `InterruptedError` (130/143).
 */
export { migrate, type MigrateOptions, type MigrateResult, type PartitionStep } from './api/migrate.js';
export { rollback, type RollbackOptions, type RollbackResult } from './api/rollback.js';
export { redo, type RedoResult } from './api/redo.js';
export { status, validate, type StatusResult, type ValidateResult, type PartitionTableStatus } from './api/status.js';
export { ensurePartitions, type EnsurePartitionsOptions } from './api/partitions.js';
export {
  registerPartitionTable,
  unregisterPartitionTable,
  listPartitionTables,
  type RegisterPartitionTableOptions,
  type UnregisterPartitionTableOptions,
  type Registration,
  type RegisteredTable,
  type ListedTable,
  type PartitionInterval,
  type RetainMode,
} from './api/partition-registry.js';
export { seed, type SeedOptions } from './api/seed.js';
export { reset, type ResetOptions, type ResetResult, type ResetTarget } from './api/reset.js';
export { createMigration } from './api/create.js';
export { verify, type VerifyOptions, type VerifyResult, type VerifiedMigration, type VerifyEvent } from './api/verify.js';
export { drift, ExpectedSchemaCache, type DriftOptions, type DriftResult, type DriftDifference } from './api/drift.js';
export { importMigrations, type ImportOptions, type ImportResult, type ImportedMigration, type ImportTool } from './api/import.js';
export { adopt, type AdoptOptions, type AdoptResult, type AdoptedMigration, type AdoptTool } from './api/adopt.js';
export { baseline, type BaselineOptions, type BaselineResult } from './api/baseline.js';
export {
  runFleet,
  readTargetsFile,
  queryTargets,
  FleetFailedError,
  DEFAULT_FLEET_CONCURRENCY,
  type FleetOptions,
  type FleetResult,
  type FleetEvent,
  type FleetTarget,
  type TargetOutcome,
  type TargetState,
  type TargetVersions,
  type NotStartedReason,
} from './api/fleet.js';
export type { CommonOptions } from './api/options.js';
export type { MigratorEvent, RanMigration, PlannedMigration } from './api/events.js';
export { generateTypes, type TypesOptions, type TypesResult } from './api/types.js';
export { dumpSchema, type DumpOptions, type DumpResult } from './api/dump.js';
export { LockRetriesExhaustedError, type LockRetryEvent } from './lock-retries/retry.js';
export type { Blocker } from './lock-retries/blockers.js';
export type { LockRetries, LockRetrySchedule } from './api/lock-retries.js';
export { lint, type LintOptions, type LintResult, type Finding as LintFinding, type FindingLevel as LintFindingLevel } from './api/lint.js';
export type { SessionOptions, SessionEvent, ExternalConnection } from './connection/session.js';
export type { Migration, Section } from './migrations/parse.js';
export type { PartitionDirective, RegistrationSettings } from './partitions/registration.js';
export type { JournalRow, MigrationStatus, MigrationState, PartialRow } from './migrations/status.js';
export type {
  PartitionReport,
  PartitionDescription,
  PartitionEvent,
  PartitionInfo,
  CreatedPartition,
  DroppedPartition,
  DropFailure,
} from './partitions/types.js';
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
  DatabaseError,
  InterruptedError,
  RunInterruptedError,
  ExitCode,
  type SqlErrorLocation,
} from './errors.js';
