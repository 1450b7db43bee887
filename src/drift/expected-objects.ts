import type { SchemaObject, SchemaSnapshot } from '../verify/snapshot.js';

/**
 * Objects that are expected to differ between a live database and its scratch rebuild, and so
 * are never drift: the journal and its companion tables (the partition registry among them), and
 * the partitions upkeep manages — children of a registered table, except its default partition.
 * Pure.
 */

/** The relations to leave out, as the snapshot names them (regclass text). */
export interface ExpectedRelations {
  /** The journal and its companions that exist. */
  journalTables: readonly string[];
  /** Tables registered for partition upkeep. */
  registered: readonly string[];
}

/** The snapshot without the journal's tables, managed partitions, and what belongs to them. */
export function withoutExpectedObjects(snapshot: SchemaSnapshot, relations: ExpectedRelations): SchemaSnapshot {
  const registered = new Set(relations.registered);
  const left = new Set(relations.journalTables);
  for (const object of snapshot.values()) {
    if (object.kind !== 'table') continue;
    const parent = object.attributes['partition of'];
    if (parent !== undefined && parent !== null && registered.has(parent) && object.attributes['partition bound'] !== 'DEFAULT')
      left.add(object.name);
  }
  if (left.size === 0) return snapshot;
  const kept: SchemaSnapshot = new Map();
  for (const [key, object] of snapshot) if (!belongsTo(object, left)) kept.set(key, object);
  return kept;
}

/** Kinds named `<name> on <relation>`. */
const ON_RELATION = new Set(['index', 'constraint', 'trigger', 'policy', 'rule']);

/** True when `object` is one of `relations` or part of one (column, index, grant, comment...). */
function belongsTo({ kind, name }: SchemaObject, relations: ReadonlySet<string>): boolean {
  if (kind === 'table' || kind === 'sequence') return relations.has(name);
  if (kind === 'column') return relations.has(name.slice(0, name.lastIndexOf('.')));
  if (ON_RELATION.has(kind)) return relations.has(name.slice(name.lastIndexOf(' on ') + 4));
  if (kind === 'grant') {
    const target = / on (?:table|column) (.+) to [^ ]+$/.exec(name)?.[1];
    if (target === undefined) return false;
    return relations.has(target) || (name.includes(' on column ') && relations.has(target.slice(0, target.lastIndexOf('.'))));
  }
  if (kind === 'comment') {
    const relation = /(?:^on | of | on )(?:table|sequence) (.+)$/.exec(name)?.[1];
    return relation !== undefined && relations.has(relation);
  }
  return false;
}
