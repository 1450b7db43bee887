import { AeturnisError, type ExitCode } from '../errors.js';
import type { NotStartedReason } from './runner.js';
import { plural } from '../plural.js';

/** What became of one target of a fleet run. Pure data and pure summaries. */

export type TargetState = 'succeeded' | 'failed' | 'interrupted' | 'not-started';

/** A target's current version (its highest applied; undefined: none) before and after the command. */
export interface TargetVersions {
  before: number | undefined;
  after: number | undefined;
}

/** One target's outcome. */
export interface TargetOutcome<R> {
  /** The target's name. */
  target: string;
  /** Where it was listed (`targets.txt:3`). */
  source: string;
  /** Its URL with the password hidden. */
  url: string;
  state: TargetState;
  /** Its own exit code: 0 succeeded or not started, else the command's (4: could not connect; 130/143 interrupted). */
  exitCode: number;
  notStarted?: NotStartedReason | undefined;
  /** The command's result when it succeeded. */
  result?: R | undefined;
  /** The one-line error when it failed or was interrupted (never a password). */
  error?: string | undefined;
  /** Wall time of this target (0 when not started). */
  ms: number;
  /** Migrations applied in this run (file names, in order). */
  applied: string[];
  /** Migrations rolled back in this run. */
  rolledBack: string[];
  /** Set when the command tracks the journal (up, down, adopt, baseline). */
  versions?: TargetVersions | undefined;
}

/**
 * The highest version of a list, or undefined for none.
 */
export function currentVersion(versions: readonly number[]): number | undefined {
  let highest: number | undefined;
  for (const version of versions) if (highest === undefined || version > highest) highest = version;
  return highest;
}

/**
 * The applied versions after a run, from those before it and what the run applied and rolled back.
 */
export function versionsAfter(before: readonly number[], applied: readonly number[], rolledBack: readonly number[]): number[] {
  const after = new Set(before);
  for (const version of applied) after.add(version);
  for (const version of rolledBack) after.delete(version);
  return [...after].sort((a, b) => a - b);
}

/**
 * The fleet's exit code: the highest of its targets' (a target that could not connect gives 4,
 * an interrupted one 130 or 143).
 */
export function worstExitCode(outcomes: readonly Pick<TargetOutcome<unknown>, 'exitCode'>[]): number {
  return outcomes.reduce((worst, outcome) => Math.max(worst, outcome.exitCode), 0);
}

const REASONS: Record<NotStartedReason, string> = {
  'fail-fast': '--fail-fast',
  'canary-failed': 'a canary failed',
  interrupted: 'interrupted',
};

/**
 * One line about the whole fleet.
 */
export function describeFleet(outcomes: readonly TargetOutcome<unknown>[]): string {
  const count = (state: TargetState) => outcomes.filter((o) => o.state === state);
  const total = `${plural(outcomes.length, 'target')}`;
  if (count('succeeded').length === outcomes.length) return outcomes.length === 1 ? 'The target succeeded' : `All ${total} succeeded`;
  const parts = [`${count('succeeded').length} succeeded`];
  for (const state of ['failed', 'interrupted'] as const) {
    const these = count(state);
    if (these.length > 0) parts.push(`${these.length} ${state} (${names(these)})`);
  }
  const notStarted = count('not-started');
  if (notStarted.length > 0) {
    const reasons = [...new Set(notStarted.map((o) => REASONS[o.notStarted ?? 'interrupted']))];
    parts.push(`${notStarted.length} not started (${reasons.join(', ')})`);
  }
  return `${total}: ${parts.join(', ')}`;
}

function names(outcomes: readonly TargetOutcome<unknown>[]): string {
  const shown = outcomes.slice(0, 5).map((o) => o.target);
  return outcomes.length > 5 ? `${shown.join(', ')} and ${outcomes.length - 5} more` : shown.join(', ');
}

/** A fleet run in which some target failed: its exit code is the worst of the targets'. */
export class FleetFailedError extends AeturnisError {
  constructor(message: string, exitCode: ExitCode) {
    super(message, exitCode);
  }
}
