import type { Section } from '../migrations/parse.js';
import type { RawFinding } from './finding.js';
import { squawkPositionInFile } from './position.js';

/**
 * Reads squawk's JSON reporter output (`squawk --reporter json`): an array of
 * `{ file, line, column, level, message, help, rule_name, line_end, column_end }`, lines and
 * columns 0-based, columns in UTF-8 bytes. Pure.
 */

/** One entry of squawk's JSON report. */
export interface SquawkReportEntry {
  file: string;
  line: number;
  column: number;
  message: string;
  help: string | undefined;
  rule: string;
}

/**
 * Parses the report; anything that is not squawk's JSON shape throws an Error naming what was
 * unexpected (a squawk release that changed its reporter).
 */
export function parseSquawkReport(text: string): SquawkReportEntry[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new Error(`squawk's JSON report could not be read: ${firstLine(trimmed)}`);
  }
  if (!Array.isArray(value)) throw new Error(`squawk's JSON report is not an array: ${firstLine(trimmed)}`);
  return value.map((entry: unknown) => reportEntry(entry));
}

function reportEntry(entry: unknown): SquawkReportEntry {
  const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { file, line, column, message, help, rule_name: rule } = record;
  if (
    typeof file !== 'string' ||
    typeof line !== 'number' ||
    typeof column !== 'number' ||
    typeof message !== 'string' ||
    typeof rule !== 'string'
  ) {
    throw new Error(`squawk's JSON report has an entry of an unknown shape: ${JSON.stringify(entry)}`);
  }
  return { file, line, column, message, help: typeof help === 'string' && help !== '' ? help : undefined, rule };
}

/**
 * A report entry as a finding in the migration file's coordinates (the entry's position is in
 * the section's text, which squawk was given alone).
 */
export function findingInFile(entry: SquawkReportEntry, section: Section): RawFinding {
  const { line, column } = squawkPositionInFile(section, entry.line, entry.column);
  return { rule: entry.rule, line, column, message: entry.message, help: entry.help, source: 'squawk' };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
