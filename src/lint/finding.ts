/** What `lint` reports: one finding a rule made in one migration file. */

/** How much a finding matters: an `error` makes `lint` exit 3, a `warning` does not. */
export type FindingLevel = 'error' | 'warning';

/** A rule's setting: reported at a level, or not run at all. */
export type RuleLevel = FindingLevel | 'off';

/** Who found it: squawk (PostgreSQL's parser and squawk's rules) or aeturnis-db's own rules. */
export type FindingSource = 'squawk' | 'aeturnis-db';

/** A finding before levels and ignores are applied, in the migration file's coordinates. */
export interface RawFinding {
  rule: string;
  /** 1-based line in the migration file. */
  line: number;
  /** 1-based column (in characters) in that line. */
  column: number;
  message: string;
  /** How to fix it (squawk's help text, or aeturnis-db's), when there is one. */
  help: string | undefined;
  source: FindingSource;
  /**
   * The highest level it may be reported at, whatever the rule's level: set where the rule's
   * usual advice cannot apply and lint rewrote message and help (see refine.ts).
   */
  atMost?: FindingLevel | undefined;
}

/** A finding as reported: its file (as the user named it) and its level. */
export interface Finding extends RawFinding {
  file: string;
  level: FindingLevel;
}

/**
 * Orders findings by file (in the order the files were checked), line, column, then rule.
 */
export function sortFindings(findings: readonly Finding[], fileOrder: readonly string[]): Finding[] {
  const rank = new Map(fileOrder.map((file, index) => [file, index]));
  return [...findings].sort(
    (a, b) => (rank.get(a.file) ?? 0) - (rank.get(b.file) ?? 0) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}
