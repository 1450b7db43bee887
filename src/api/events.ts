import type { LockRetryEvent } from '../lock-retries/retry.js';
import type { Direction } from '../run/errors.js';
import type { SessionEvent } from '../connection/session.js';
import type { ResumePoint } from '../migrations/resume.js';
import type { PartitionEvent } from '../partitions/types.js';
import type { VerifyEvent } from '../verify/events.js';

export type { LockRetryEvent, PartitionEvent, SessionEvent, VerifyEvent };

/** A migration that was applied or rolled back. */
export interface RanMigration {
  version: number;
  name: string;
  fileName: string;
  executionMs: number;
}

/** A migration a command will run (or would, on a dry run). */
export interface PlannedMigration {
  version: number;
  name: string;
  fileName: string;
}

/** What running migrations reports. */
export type RunEvent =
  | { type: 'lock-wait'; holder: string; waitedMs: number }
  | { type: 'migration-start'; direction: Direction; version: number; fileName: string }
  | { type: 'migration-resume'; direction: Direction; version: number; fileName: string; resume: ResumePoint }
  | {
      type: 'migration-done';
      direction: Direction;
      version: number;
      fileName: string;
      executionMs: number;
      /** A DOWN marked `-- aeturnis:nothing-to-undo`: only its journal row was removed. */
      noSql?: boolean;
    }
  | { type: 'plan'; direction: Direction; migrations: PlannedMigration[] }
  | { type: 'nothing-to-do'; direction: Direction }
  /**
   * `up` recorded (or, on a dry run, would record) the checksum of a migration this database
   * adopted while it was a placeholder for `of`, since rewritten in SQL; its SQL does not run.
   */
  | { type: 'placeholder-rewritten'; version: number; fileName: string; of: string; dryRun: boolean }
  | { type: 'seed-done'; fileName: string; executionMs: number }
  | { type: 'reset-dropped'; database: string; dropped: string[]; recreated: string[] }
  | { type: 'warning'; message: string }
  /** A read-only command found nothing configured and no embedded database in `dir`: it created none. */
  | { type: 'no-embedded-database'; dir: string };

/**
 * Everything a command reports while it runs, built from each part's own events; the CLI renders
 * these (a new kind is a compile error there until it is rendered), API callers may too.
 */
export type MigratorEvent = SessionEvent | RunEvent | LockRetryEvent | { type: 'partition'; event: PartitionEvent } | VerifyEvent;

/** How commands report. */
export type Emit = (event: MigratorEvent) => void;
