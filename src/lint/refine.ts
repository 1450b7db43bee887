import type { Section } from '../migrations/parse.js';
import { splitSqlStatements } from '../migrations/split.js';
import { statementWords, type Word } from '../migrations/statement-words.js';
import type { RawFinding } from './finding.js';
import { offsetInSection } from './position.js';
import { copySchemaFacts, createdIndex, droppedNames, learnStatement, nameKey, type SchemaFacts } from './schema-facts.js';
import { actionStarts } from './statement-kinds.js';

/**
 * squawk's findings of one section, judged with what squawk cannot see: the statement's own
 * words, the earlier migrations and the section's place in its migration. No error is left
 * whose advice PostgreSQL refuses, and one statement gets at most one finding per rule. Pure.
 */

/** What is known about the section whose findings are refined. */
export interface SectionContext {
  kind: 'up' | 'down';
  section: Section;
  /** The migration runs in a transaction (no `-- aeturnis:no-transaction`). */
  transactional: boolean;
  /** The schema before the section's first statement. */
  schema: SchemaFacts;
  /** For a DOWN: the `table.column` keys its own UP sets NOT NULL on. */
  setNotNullInUp: ReadonlySet<string>;
}

/** One statement of the section, with what the rules below need of it. */
interface Span {
  /** Offsets of the statement text in the section's SQL. */
  start: number;
  end: number;
  words: Word[];
  /** The partitioned table a CREATE INDEX is on, or that every index a DROP INDEX names is on. */
  partitionedTable: string | undefined;
}

/**
 */
export function refineFindings(findings: readonly RawFinding[], context: SectionContext): RawFinding[] {
  const spans = statementSpans(context.section, context.schema);
  const judged: { finding: RawFinding; span: number }[] = [];
  for (const finding of findings) {
    const offset = offsetInSection(context.section, finding);
    const index = spanAt(spans, offset);
    const span = spans[index];
    if (span === undefined) {
      judged.push({ finding, span: -1 });
      continue;
    }
    const verdict = judge(finding, span, offset - span.start, context);
    if (verdict !== undefined) judged.push({ finding: verdict, span: index });
  }
  return onePerStatement(judged);
}

/** The statements of a section, each with the schema facts as they stand before it. */
function statementSpans(section: Section, schema: SchemaFacts): Span[] {
  const facts = copySchemaFacts(schema);
  return splitSqlStatements(section.sql).map((statement) => {
    const words = statementWords(statement.text);
    const span = {
      start: statement.offset,
      end: statement.offset + statement.text.length,
      words,
      partitionedTable: partitionedTable(words, facts),
    };
    learnStatement(facts, words);
    return span;
  });
}

function partitionedTable(words: readonly Word[], facts: SchemaFacts): string | undefined {
  const index = createdIndex(words);
  if (index !== undefined) return facts.partitioned.has(index.table) ? index.table : undefined;
  if (words[0]?.text !== 'DROP' || words[1]?.text !== 'INDEX') return undefined;
  const tables = droppedNames(words).map((name) => facts.indexTables.get(name));
  const first = tables[0];
  return first !== undefined && tables.every((table) => table !== undefined && facts.partitioned.has(table)) ? first : undefined;
}

/**
 * The statement holding `offset`: the first one that ends at or after it (text between two
 * statements, like a comment squawk points at, belongs to the next), else the last one.
 */
function spanAt(spans: readonly Span[], offset: number): number {
  const index = spans.findIndex((span) => offset <= span.end);
  return index === -1 ? spans.length - 1 : index;
}

const NOT_VALID_REFUSED = new Set(['PRIMARY', 'UNIQUE', 'EXCLUDE']);

/** The finding as it should be reported, or undefined when it should not be. */
function judge(finding: RawFinding, span: Span, offset: number, context: SectionContext): RawFinding | undefined {
  switch (finding.rule) {
    case 'constraint-missing-not-valid':
      // PostgreSQL takes NOT VALID on CHECK and FOREIGN KEY constraints only.
      return NOT_VALID_REFUSED.has(addedConstraintKind(span.words, offset) ?? '') ? undefined : finding;
    case 'require-concurrent-index-creation':
      return span.partitionedTable === undefined ? finding : partitionedIndexBuild(finding, span.partitionedTable);
    case 'require-concurrent-index-deletion':
      // No DROP INDEX CONCURRENTLY of a partitioned index exists; and a transactional
      // migration's DOWN cannot move its statement to a migration of its own.
      if (span.partitionedTable !== undefined || (context.kind === 'down' && context.transactional)) return undefined;
      return finding;
    case 'ban-drop-not-null': {
      if (context.kind !== 'down') return finding;
      const key = alteredColumnKey(span.words, offset);
      return key !== undefined && context.setNotNullInUp.has(key) ? undefined : finding;
    }
    default:
      return finding;
  }
}

function partitionedIndexBuild(finding: RawFinding, table: string): RawFinding {
  return {
    ...finding,
    atMost: 'warning',
    message: `${table} is partitioned, and PostgreSQL cannot build an index on a partitioned table CONCURRENTLY: this build blocks writes to every partition until it ends`,
    help:
      `to build without blocking writes, create the index ON ONLY ${table} (invalid until complete), build each partition's index ` +
      'with CREATE INDEX CONCURRENTLY in a "-- aeturnis:no-transaction" migration, and ALTER INDEX ... ATTACH PARTITION each one',
  };
}

/** The ALTER TABLE action holding `offset` (an index into `words`), or undefined. */
function actionAt(words: readonly Word[], offset: number): number | undefined {
  if (words[0]?.text !== 'ALTER' || words[1]?.text !== 'TABLE') return undefined;
  let found: number | undefined;
  for (const start of actionStarts(words)) if ((words[start]?.offset ?? Number.POSITIVE_INFINITY) <= offset) found = start;
  return found;
}

/** `ADD [CONSTRAINT name] KIND ...` at `offset`: KIND (PRIMARY, UNIQUE, CHECK, FOREIGN, EXCLUDE). */
function addedConstraintKind(words: readonly Word[], offset: number): string | undefined {
  const at = actionAt(words, offset);
  if (at === undefined || words[at]?.text !== 'ADD') return undefined;
  return words[at + 1]?.text === 'CONSTRAINT' ? words[at + 3]?.text : words[at + 1]?.text;
}

/** `ALTER [COLUMN] c ...` at `offset` in `ALTER TABLE t ...`: `t.c`. */
function alteredColumnKey(words: readonly Word[], offset: number): string | undefined {
  const at = actionAt(words, offset);
  if (at === undefined || words[at]?.text !== 'ALTER') return undefined;
  const column = words[at + 1]?.text === 'COLUMN' ? words[at + 2]?.text : words[at + 1]?.text;
  const table = words[(actionStarts(words)[0] ?? 0) - 1]?.text;
  return column === undefined || table === undefined ? undefined : `${nameKey(table)}.${nameKey(column)}`;
}

/**
 * The `table.column` keys a section sets NOT NULL on (`ALTER TABLE t ALTER [COLUMN] c SET NOT NULL`).
 */
export function setNotNullKeys(sql: string): Set<string> {
  const keys = new Set<string>();
  if (!/set\s+not\s+null/i.test(sql)) return keys;
  for (const statement of splitSqlStatements(sql)) {
    const words = statementWords(statement.text);
    if (words[0]?.text !== 'ALTER' || words[1]?.text !== 'TABLE') continue;
    for (const start of actionStarts(words)) {
      const texts = words.slice(start, start + 6).map((word) => word.text);
      const rest = texts[1] === 'COLUMN' ? texts.slice(3) : texts.slice(2);
      if (texts[0] === 'ALTER' && rest.join(' ').startsWith('SET NOT NULL')) {
        const key = alteredColumnKey(words, words[start]?.offset ?? 0);
        if (key !== undefined) keys.add(key);
      }
    }
  }
  return keys;
}

/** Keeps the first finding of each rule in a statement; its message names the others' places. */
function onePerStatement(judged: readonly { finding: RawFinding; span: number }[]): RawFinding[] {
  const first = new Map<string, { finding: RawFinding; others: string[] }>();
  const kept: { finding: RawFinding; others: string[] }[] = [];
  for (const { finding, span } of judged) {
    const key = `${span}\0${finding.rule}`;
    const earlier = span === -1 ? undefined : first.get(key);
    if (earlier) {
      earlier.others.push(`${finding.line}:${finding.column}`);
      continue;
    }
    const entry = { finding, others: [] };
    first.set(key, entry);
    kept.push(entry);
  }
  return kept.map(({ finding, others }) =>
    others.length === 0 ? finding : { ...finding, message: `${finding.message} (also at ${others.join(', ')} in this statement)` },
  );
}
