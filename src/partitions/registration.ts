/**
 * The settings of a table registered for partition upkeep, as `partitions register` and the
 * `-- aeturnis:partitions` directive read them (one grammar for both), checked and described.
 * Pure: no database here (registry.ts builds the SQL and runs it).
 */
import { parseNonNegativeInteger } from '../config.js';
import { UsageError } from '../errors.js';
import { parseIdent, parseTableName, type TableName } from '../identifiers.js';
import { INTERVAL_ADJECTIVE, MAX_AHEAD, type PartitionInterval } from './periods.js';

/** What retention does with a partition it removes: drop it, or detach it and keep it as a plain table. */
export type RetainMode = 'drop' | 'detach';

/** A registered table's settings (the key column is checked against the table, not chosen). */
export interface RegistrationSettings {
  /** `--column`: the partition key the table must have; undefined: whatever its one key column is. */
  column: string | undefined;
  interval: PartitionInterval;
  /** Partitions kept ahead of the current one. */
  ahead: number;
  /** Partitions kept behind the current one; null: nothing is ever removed. */
  retain: number | null;
  retainMode: RetainMode;
}

/** The settings as given, before checking: text from the command line or a directive, values from the API. */
export interface RegistrationInput {
  column?: string | undefined;
  interval?: string | undefined;
  ahead?: string | number | undefined;
  retain?: string | number | null | undefined;
  retainMode?: string | undefined;
}

/** A directive `-- aeturnis:partitions TABLE ...` of a migration file, parsed. */
export interface PartitionDirective {
  /** 1-based line in the file, for messages. */
  line: number;
  table: TableName;
  settings: RegistrationSettings;
}

/** Without `--interval` / `--ahead`: what the shipped audit_log uses. */
const DEFAULT_INTERVAL: PartitionInterval = 'month';
const DEFAULT_AHEAD = 3;

const INTERVAL_WORDS: Readonly<Record<string, PartitionInterval>> = {
  day: 'day',
  daily: 'day',
  week: 'week',
  weekly: 'week',
  month: 'month',
  monthly: 'month',
  year: 'year',
  yearly: 'year',
};

const UNITS: Readonly<Record<PartitionInterval, string>> = { day: 'days', week: 'weeks', month: 'months', year: 'years' };

/**
 * Reads `--interval` (day|daily|week|weekly|month|monthly|year|yearly, any case).
 */
function parseInterval(value: string): PartitionInterval {
  const interval = INTERVAL_WORDS[value.trim().toLowerCase()];
  if (!interval) throw new UsageError(`--interval must be day, week, month or year (got "${value}")`);
  return interval;
}

/**
 * Reads `--retain-mode` (drop|detach, any case).
 */
function parseRetainMode(value: string): RetainMode {
  const mode = value.trim().toLowerCase();
  if (mode !== 'drop' && mode !== 'detach') throw new UsageError(`--retain-mode must be drop or detach (got "${value}")`);
  return mode;
}

/**
 * Reads `--column` as PostgreSQL reads an identifier: unquoted folds to lower case, double
 * quotes keep the case.
 */
function parseColumn(value: string): string {
  const parts = parseIdent(value);
  if (typeof parts === 'string' || parts.length !== 1) {
    const reason = typeof parts === 'string' ? parts : 'a column name has no schema or table part';
    throw new UsageError(`--column "${value}" is not a valid column name: ${reason}`);
  }
  return parts[0] as string;
}

/**
 * Reads TABLE of `partitions register|unregister` and the directive, as PostgreSQL reads a
 * qualified name.
 */
export function parseRegisteredTable(value: string): TableName {
  if (value.trim() === '') throw new UsageError('TABLE must not be empty: name the partitioned table');
  return parseTableName(value, 'TABLE');
}

/**
 * Checks and completes the settings: defaults for what is not given, `--ahead` at most
 * {@link MAX_AHEAD} of its interval, `--retain-mode` only with `--retain`. One-line UsageError
 * naming the flag.
 */
export function parseRegistrationFlags(input: RegistrationInput): RegistrationSettings {
  const interval = input.interval === undefined ? DEFAULT_INTERVAL : parseInterval(input.interval);
  const ahead = input.ahead === undefined ? DEFAULT_AHEAD : count(input.ahead, '--ahead');
  if (ahead > MAX_AHEAD[interval]) {
    throw new UsageError(`--ahead must be at most ${MAX_AHEAD[interval]} ${UNITS[interval]} for --interval ${interval} (got ${ahead})`);
  }
  const retain = input.retain === undefined || input.retain === null ? null : count(input.retain, '--retain');
  if (input.retainMode !== undefined && retain === null) {
    throw new UsageError('--retain-mode needs --retain M: without --retain no partition is ever removed');
  }
  return {
    column: input.column === undefined ? undefined : parseColumn(input.column),
    interval,
    ahead,
    retain,
    retainMode: input.retainMode === undefined ? 'drop' : parseRetainMode(input.retainMode),
  };
}

function count(value: string | number, flag: string): number {
  if (typeof value === 'string') return parseNonNegativeInteger(value, flag);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`${flag} must be a whole number >= 0 (got ${value})`);
  return value;
}

/**
 * The settings in a few words, as `register`, `list` and `status` print them.
 */
export function describeSettings(settings: Pick<RegistrationSettings, 'interval' | 'ahead' | 'retain' | 'retainMode'>): string {
  const retain = settings.retain === null ? '' : `, retain ${settings.retain} (${settings.retainMode})`;
  return `${INTERVAL_ADJECTIVE[settings.interval]}, ahead ${settings.ahead}${retain}`;
}

/** What upkeep keeps of a registration, as the registry stores it. */
export type StoredSettings = Pick<RegistrationSettings, 'interval' | 'ahead' | 'retain' | 'retainMode'> & { column: string };

/**
 * What a second registration changes, one phrase per setting (empty: nothing).
 */
export function settingChanges(before: StoredSettings, after: StoredSettings): string[] {
  const retain = (s: StoredSettings): string => (s.retain === null ? 'none' : `${s.retain} (${s.retainMode})`);
  const changes: [string, string, string][] = [
    ['column', before.column, after.column],
    ['interval', INTERVAL_ADJECTIVE[before.interval], INTERVAL_ADJECTIVE[after.interval]],
    ['ahead', String(before.ahead), String(after.ahead)],
    ['retain', retain(before), retain(after)],
  ];
  return changes.filter(([, from, to]) => from !== to).map(([what, from, to]) => `${what} ${from} → ${to}`);
}

/**
 * Reads the arguments of `-- aeturnis:partitions`: TABLE, then the flags of `partitions
 * register` (`--flag value` or `--flag=value`; names may be double-quoted). Throws UsageError
 * (the caller adds the file and line).
 */
export function parseDirectiveArguments(text: string): { table: TableName; settings: RegistrationSettings } {
  const words = splitWords(text);
  const [first, ...rest] = words;
  if (first === undefined || first.startsWith('--'))
    throw new UsageError('name the table first: -- aeturnis:partitions TABLE [--interval I] ...');
  const input: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    const [flag, inline] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const key = DIRECTIVE_FLAGS[flag];
    if (!key) {
      throw new UsageError(
        flag.startsWith('--')
          ? `unknown option ${flag} (known: ${Object.keys(DIRECTIVE_FLAGS).join(', ')})`
          : `unexpected "${word}": one table per directive`,
      );
    }
    if (input[key] !== undefined) throw new UsageError(`${flag} is given twice`);
    const value = inline ?? rest[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`${flag} needs a value`);
    input[key] = value;
  }
  return { table: parseRegisteredTable(first), settings: parseRegistrationFlags(input) };
}

const DIRECTIVE_FLAGS: Readonly<Record<string, keyof RegistrationInput>> = {
  '--column': 'column',
  '--interval': 'interval',
  '--ahead': 'ahead',
  '--retain': 'retain',
  '--retain-mode': 'retainMode',
};

/** Splits on white space outside double quotes (a quoted name keeps its spaces and quotes). */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  if (quoted) throw new UsageError('unclosed double quote');
  if (word !== '') words.push(word);
  return words;
}
