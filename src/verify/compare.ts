import { COLUMN_ORDER, sameColumnOrder } from './column-order.js';
import { showPair } from './show-difference.js';
import type { SchemaObject, SchemaSnapshot } from './snapshot.js';

/** One way two snapshots differ. */
export type SchemaDifference =
  | { type: 'extra'; object: SchemaObject }
  | { type: 'missing'; object: SchemaObject }
  | { type: 'changed'; object: SchemaObject; attribute: string; expected: string | null; actual: string | null };

/**
 * Lists how `actual` differs from `expected`, ordered by kind and name so reports are stable.
 * Pure.
 */
export function compareSnapshots(expected: SchemaSnapshot, actual: SchemaSnapshot): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  for (const [key, object] of actual) {
    if (!expected.has(key)) differences.push({ type: 'extra', object });
  }
  for (const [key, object] of expected) {
    const now = actual.get(key);
    if (!now) {
      differences.push({ type: 'missing', object });
      continue;
    }
    const attributes = new Set([...Object.keys(object.attributes), ...Object.keys(now.attributes)]);
    for (const attribute of [...attributes].sort()) {
      const was = object.attributes[attribute] ?? null;
      const is = now.attributes[attribute] ?? null;
      if (!sameAttribute(attribute, was, is)) differences.push({ type: 'changed', object: now, attribute, expected: was, actual: is });
    }
  }
  return differences.sort(
    (a, b) =>
      KIND_ORDER(a.object.kind) - KIND_ORDER(b.object.kind) ||
      a.object.kind.localeCompare(b.object.kind) ||
      a.object.name.localeCompare(b.object.name),
  );
}

function sameAttribute(attribute: string, was: string | null, is: string | null): boolean {
  return attribute === COLUMN_ORDER ? sameColumnOrder(was, is) : was === is;
}

const RELATION_KINDS = ['table', 'view', 'materialized view', 'foreign table'];
const TYPE_KINDS = new Set(['type', 'enum', 'domain', 'range type']);
/** Kinds named `<name> on <relation>`. */
const ON_RELATION_KINDS = new Set(['index', 'constraint', 'trigger', 'policy', 'rule']);

/**
 * Drops differences implied by a bigger one: when DOWN left a whole table, its columns,
 * indexes, constraints, triggers, comments and grants were left too; when it left an extension
 * or a function, the comment that came with it was left too. Saying so once is enough.
 * Pure.
 */
export function withoutImpliedDifferences(differences: readonly SchemaDifference[]): SchemaDifference[] {
  const whole = new Map<string, SchemaDifference['type']>();
  for (const d of differences) if (d.type !== 'changed') whole.set(describedAs(d.object), d.type);
  if (whole.size === 0) return [...differences];
  return differences.filter((d) => d.type === 'changed' || !ownersOf(d.object).some((owner) => whole.get(owner) === d.type));
}

/**
 * An object as PostgreSQL's pg_describe_object names it (comments are named that way):
 * `table t`, `function f(integer)`, `type game.mood`, `extension citext`.
 */
function describedAs({ kind, name }: SchemaObject): string {
  return `${TYPE_KINDS.has(kind) ? 'type' : kind} ${name}`;
}

/** The objects (as {@link describedAs} names them) that an object belongs to. */
function ownersOf({ kind, name }: SchemaObject): string[] {
  const relation = (qualified: string): string[] => RELATION_KINDS.map((k) => `${k} ${qualified}`);
  const ofColumn = (column: string): string[] => relation(column.slice(0, column.lastIndexOf('.')));
  if (kind === 'column') return ofColumn(name);
  if (kind === 'grant') {
    const [, what, target] = /^\S+ on (table|column|function|type|schema) (.+) to [^ ]+$/.exec(name) ?? [];
    if (!what || !target) return [];
    return what === 'column' ? ofColumn(target) : what === 'table' ? relation(target) : [`${what} ${target}`];
  }
  if (kind === 'comment') {
    // pg_describe_object: "table t", "column c of table t", "constraint k on table t", "extension citext"
    const described = name.replace(/^on /, '');
    const onRelation = /(?: of | on )(?:table|view|materialized view|foreign table) (.+)$/.exec(name)?.[1];
    return [described, ...(onRelation ? relation(onRelation) : [])];
  }
  if (!ON_RELATION_KINDS.has(kind)) return [];
  const owner = name.slice(name.lastIndexOf(' on ') + 4);
  return owner.startsWith('domain ') ? [`type ${owner.slice('domain '.length)}`] : relation(owner);
}

/** Containers first: a missing table explains its missing columns. */
const KIND_RANK = [
  'extension',
  'schema',
  'type',
  'enum',
  'domain',
  'range type',
  'table',
  'view',
  'materialized view',
  'sequence',
  'column',
];
function KIND_ORDER(kind: string): number {
  const rank = KIND_RANK.indexOf(kind);
  return rank < 0 ? KIND_RANK.length : rank;
}

/**
 * Says in words what DOWN got wrong, comparing the schema after DOWN with the one before UP.
 * Pure.
 */
export function describeDownDifference(difference: SchemaDifference): string {
  const { kind, name } = difference.object;
  switch (difference.type) {
    case 'extra':
      return `DOWN left ${kind} ${name}`;
    case 'missing':
      return `DOWN did not restore ${kind} ${name} (it existed before UP)`;
    case 'changed': {
      if (difference.attribute === COLUMN_ORDER) {
        // in full: the moved column is usually the last one, where shortening would cut
        return `DOWN did not restore the column order of ${kind} ${name} (${difference.actual ?? ''}; was ${difference.expected ?? ''})`;
      }
      const { actual, expected } = showPair(difference.expected, difference.actual);
      return `DOWN did not restore ${kind} ${name} ${difference.attribute} (${actual}, was ${expected})`;
    }
  }
}

/**
 * Says in words how UP, run again after DOWN, built a different schema than the first time.
 * Pure.
 */
export function describeRerunDifference(difference: SchemaDifference): string {
  const { kind, name } = difference.object;
  switch (difference.type) {
    case 'extra':
      return `UP run again after DOWN also created ${kind} ${name}`;
    case 'missing':
      return `UP run again after DOWN did not create ${kind} ${name}`;
    case 'changed': {
      if (difference.attribute === COLUMN_ORDER) {
        return `UP run again after DOWN gave ${kind} ${name} another column order (${difference.actual ?? ''}; the first UP gave ${difference.expected ?? ''})`;
      }
      const { actual, expected } = showPair(difference.expected, difference.actual);
      return `UP run again after DOWN gave ${kind} ${name} ${difference.attribute} (${actual}, the first UP gave ${expected})`;
    }
  }
}
