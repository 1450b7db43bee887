import type { TargetOutcome } from '../api/fleet.js';
import type { PrintedResult } from './fleet-command.js';

/** Placeholder for a version beyond 2^53 in JSON text, written back as the exact integer by {@link withExactVersions}. */
const BIG_VERSION = '\u0000aeturnis-version:';

/**
 * A version for JSON: a number, or a placeholder when it is beyond 2^53 (JSON.stringify would round it).
 */
export function exactVersion(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : `${BIG_VERSION}${text}`;
}

/**
 * JSON text with each placeholder of {@link exactVersion} written as the exact integer.
 */
export function withExactVersions(json: string): string {
  return json.replace(/"\\u0000aeturnis-version:(\d+)"/g, '$1');
}

/**
 * One JSON object per target, one a line, in the targets' order: `target`, its `state` and
 * `exitCode`, `error`, for commands that change the journal the versions before and after and
 * what was applied or rolled back, and the command's `result`.
 */
export function jsonLines(outcomes: readonly TargetOutcome<PrintedResult>[], tracked: boolean): string {
  return outcomes
    .map((outcome) =>
      withExactVersions(
        JSON.stringify({
          target: outcome.target,
          source: outcome.source,
          url: outcome.url,
          state: outcome.state,
          exitCode: outcome.exitCode,
          error: outcome.error ?? null,
          notStarted: outcome.notStarted ?? null,
          ms: Math.round(outcome.ms),
          ...(tracked ? journalFields(outcome) : {}),
          result: outcome.result?.json ?? null,
        }),
      ),
    )
    .join('\n');
}

/** What a command that changes the journal did to it: versions before and after, migrations applied and rolled back. */
function journalFields(outcome: TargetOutcome<unknown>): Record<string, unknown> {
  const { versions } = outcome;
  return {
    versionBefore: versions?.before ?? null,
    versionAfter: versions?.after ?? null,
    applied: outcome.applied,
    rolledBack: outcome.rolledBack,
  };
}
