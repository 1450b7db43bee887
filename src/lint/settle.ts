import type { Finding, RawFinding, RuleLevel } from './finding.js';
import { isIgnored, type LintIgnore } from './directives.js';

/**
 * Turns one file's raw findings into reported ones: drops rules that are off or that the
 * file's lint-ignore directives silence, gives each its level, and adds what squawk's help
 * cannot know about aeturnis-db. Pure.
 */

/** What `settleFindings` needs to know about the file. */
export interface FileFacts {
  /** The file as the user named it (or as found under --dir, relative to the working directory). */
  file: string;
  /** The migration runs inside a transaction (no `-- aeturnis:no-transaction`). */
  transactional: boolean;
  ignores: readonly LintIgnore[];
}

/**
 * squawk's advice to use CONCURRENTLY, completed for aeturnis-db: in a transactional migration
 * that statement would fail, so it needs a migration of its own without a transaction.
 */
const CONCURRENTLY_RULES = new Set([
  'require-concurrent-index-creation',
  'require-concurrent-index-deletion',
  'require-concurrent-reindex',
  'require-concurrent-partition-detach',
]);
const CONCURRENTLY_NOTE =
  'CONCURRENTLY cannot run in a transaction: put that statement in a migration of its own with "-- aeturnis:no-transaction" in its header';

/**
 */
export function settleFindings(raw: readonly RawFinding[], facts: FileFacts, levelOf: (rule: string) => RuleLevel): Finding[] {
  const findings: Finding[] = [];
  for (const finding of raw) {
    const ruleLevel = levelOf(finding.rule);
    if (ruleLevel === 'off' || isIgnored(finding.rule, facts.ignores)) continue;
    const { atMost, ...rest } = finding;
    const level = atMost === 'warning' ? 'warning' : ruleLevel;
    // A rewritten finding's help is already aeturnis-db's own.
    const note = facts.transactional && atMost === undefined && CONCURRENTLY_RULES.has(finding.rule) ? CONCURRENTLY_NOTE : undefined;
    findings.push({ ...rest, help: withNote(finding.help, note), file: facts.file, level });
  }
  return findings;
}

function withNote(help: string | undefined, note: string | undefined): string | undefined {
  if (note === undefined) return help;
  if (help === undefined) return note;
  return `${help}${help.endsWith('.') ? '' : '.'} ${note}`;
}
