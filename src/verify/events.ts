import type { SessionEvent } from '../connection/session.js';
import type { VerifiedMigration } from './round-trip.js';

/** Progress of {@link verify}. */
export type VerifyEvent =
  /** `settings`: names of the target's database settings copied to it; `setup`: the --scratch-setup file run first. */
  | { type: 'verify-scratch'; database: string; created: boolean; settings: string[]; setup: string | undefined }
  | { type: 'verify-baseline'; fileName: string }
  | { type: 'verify-result'; result: VerifiedMigration }
  /** keepGoing: the scratch database is emptied and `migrations` UPs re-applied, the last being `upTo`. */
  | { type: 'verify-rebuild'; database: string; upTo: string | undefined; migrations: number }
  /** Without keepGoing, a --scratch-url database left in another state by `fileName` cannot be rebuilt: the rest is not verified. */
  | { type: 'verify-stopped'; database: string; fileName: string }
  | { type: 'verify-cleanup-failed'; database: string; reason: string };

/** How verify's parts report: its own events, the sessions it opens, and warnings. */
export type VerifyEmit = (event: VerifyEvent | SessionEvent | { type: 'warning'; message: string }) => void;
