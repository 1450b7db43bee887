import { runsWithoutTransaction, type Migration, type Section } from '../migrations/parse.js';
import { splitSqlStatements } from '../migrations/split.js';
import type { RawFinding } from './finding.js';
import { offsetInFile } from './position.js';
import { OWN_RULE } from './rules.js';
import { transactionBlockedKind, unguardedParts } from './statement-kinds.js';
import { statementWords, type Word } from '../migrations/statement-words.js';

/**
 * aeturnis-db's own rules, from what it knows of how it runs a migration (squawk cannot know
 * it): a transactional migration is one transaction, a `-- aeturnis:no-transaction` one runs
 * statement by statement, and `down` refuses a migration without a DOWN. Pure.
 */

const NO_TRANSACTION_DIRECTIVE = '-- aeturnis:no-transaction';

/**
 * Every finding of aeturnis-db's own rules in one migration, in file coordinates.
 */
export function ownFindings(migration: Migration): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const [label, section] of sections(migration)) {
    for (const statement of splitSqlStatements(section.sql)) {
      const words = statementWords(statement.text);
      const at = (wordIndex: number) => offsetInFile(section, statement.offset + (words[wordIndex]?.offset ?? 0));
      if (runsWithoutTransaction(migration, label === 'UP' ? 'up' : 'down')) findings.push(...notRerunnable(words, at, label));
      else findings.push(...requiresNoTransaction(words, at, migration.fileName));
    }
  }
  if (migration.irreversible) findings.push(irreversible(migration));
  return findings;
}

type Locate = (wordIndex: number) => { line: number; column: number };

function sections(migration: Migration): [string, Section][] {
  const found: [string, Section][] = [['UP', migration.up]];
  if (migration.down) found.push(['DOWN', migration.down]);
  return found;
}

function requiresNoTransaction(words: readonly Word[], at: Locate, fileName: string): RawFinding[] {
  const kind = transactionBlockedKind(words);
  if (kind === undefined) return [];
  return [
    {
      rule: OWN_RULE.requiresNoTransaction,
      ...at(0),
      message: `${kind} cannot run inside a transaction block, and ${fileName} runs in one: it would fail at run time (SQLSTATE 25001)`,
      help: `add "${NO_TRANSACTION_DIRECTIVE}" to the header (before "-- UP") so the migration runs statement by statement without a transaction; keep its other statements re-runnable`,
      source: 'aeturnis-db',
    },
  ];
}

/**
 * A CREATE INDEX CONCURRENTLY that was killed leaves an INVALID index behind, which
 * IF NOT EXISTS then keeps without a word.
 */
const INVALID_INDEX_NOTE =
  '; after a killed run, look for an INVALID index it left (pg_index.indisvalid) and drop it with DROP INDEX CONCURRENTLY before running again, as IF NOT EXISTS would keep it';

/** One finding a statement, naming each unguarded part (an ALTER TABLE may have several). */
function notRerunnable(words: readonly Word[], at: Locate, label: string): RawFinding[] {
  const parts = unguardedParts(words);
  const first = parts[0];
  if (first === undefined) return [];
  const unguarded = parts.map((part) => `${part.what} without ${part.guard}`).join(', ');
  const guards = [...new Set(parts.map((part) => part.guard))].join(' / ');
  const killedIndex = parts.some((part) => part.what === 'CREATE INDEX');
  return [
    {
      rule: OWN_RULE.notRerunnable,
      ...at(first.wordIndex),
      message: `${unguarded} ${parts.length === 1 ? 'fails' : 'fail'} if it runs again, and this ${label} section runs without a transaction`,
      help:
        `write ${guards}: a runner killed part way (SIGKILL, lost connection) cannot record how far it got, ` +
        `and the next run starts the file again from its first statement${killedIndex ? INVALID_INDEX_NOTE : ''}`,
      source: 'aeturnis-db',
    },
  ];
}

function irreversible(migration: Migration): RawFinding {
  const emptyDown = migration.down !== undefined;
  // Point at the -- DOWN marker of an empty section, else at the -- UP marker.
  const line = emptyDown ? (migration.down as Section).startLine - 1 : migration.up.startLine - 1;
  return {
    rule: OWN_RULE.irreversible,
    line,
    column: 1,
    message: emptyDown
      ? 'the DOWN section holds no SQL, so the migration is irreversible: `down` refuses to pass it'
      : 'no "-- DOWN" section, so the migration is irreversible: `down` refuses to pass it',
    help: 'write the SQL that undoes the UP under "-- DOWN", or add "-- aeturnis:nothing-to-undo" if undoing it needs no SQL',
    source: 'aeturnis-db',
  };
}
