import type { Finding, FindingLevel } from '../api/lint.js';
import { plural } from '../plural.js';

/** How `lint` prints its findings. Pure. */

/** Colours for the level tag (identity functions when there are no colours). */
export interface LevelPaint {
  error(text: string): string;
  warning(text: string): string;
}

const PLAIN: LevelPaint = { error: (text) => text, warning: (text) => text };

/**
 * Two lines a finding: `FILE:LINE:COL: rule: message`, then its level and help, indented.
 */
export function formatFinding(finding: Finding, paint: LevelPaint = PLAIN): string {
  const head = `${finding.file}:${finding.line}:${finding.column}: ${finding.rule}: ${finding.message}`;
  const tag = paint[finding.level](`[${finding.level}]`);
  return `${head}\n  ${tag}${finding.help === undefined ? '' : ` help: ${finding.help}`}`;
}

/**
 * The closing line: how many files were checked and what was found.
 */
export function summaryLine(counts: { files: number; errors: number; warnings: number }): string {
  const files = `${plural(counts.files, 'migration')}`;
  if (counts.errors === 0 && counts.warnings === 0) return `Checked ${files}: no findings`;
  return `Checked ${files}: ${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}`;
}

/** The findings as the JSON array `lint --json` prints (help is null when there is none). */
export function findingsJson(findings: readonly Finding[]): string {
  const rows = findings.map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    rule: f.rule,
    level: f.level satisfies FindingLevel,
    message: f.message,
    help: f.help ?? null,
    source: f.source,
  }));
  return JSON.stringify(rows, null, 2);
}
