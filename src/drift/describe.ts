import { plural } from '../plural.js';
import { COLUMN_ORDER } from '../verify/column-order.js';
import { compareSnapshots, withoutImpliedDifferences, type SchemaDifference } from '../verify/compare.js';
import { showPair } from '../verify/show-difference.js';
import type { SchemaSnapshot } from '../verify/snapshot.js';

/**
 * How a live database differs from what its applied migrations build, in words an operator can
 * act on: what is in the database but in no migration, what the migrations create but the
 * database lacks, and each attribute that differs. Pure.
 */

/** One difference, as `drift --json` prints it. */
export interface DriftDifference {
  /** `table`, `column`, `index`, `function`, `grant`, ... */
  kind: string;
  /** e.g. `users.nickname`, `users.by_hand_idx`, `cleanup_expired_sessions(interval)`. */
  name: string;
  /** `extra`: in the database only; `missing`: in the migrations only; `changed`: an attribute differs. */
  change: 'extra' | 'missing' | 'changed';
  /** With `changed`: which attribute (`type`, `default`, `not null`, `definition`, `column order`, ...). */
  attribute?: string;
  /** With `changed`: the database's value (null: not set). */
  database?: string | null;
  /** With `changed`: the value the migrations give (null: not set). */
  migrations?: string | null;
}

/** Compares the live snapshot with the expected one: differences in a stable order, implied ones left out. */
export function driftBetween(expected: SchemaSnapshot, live: SchemaSnapshot): DriftDifference[] {
  return withoutImpliedDifferences(compareSnapshots(expected, live)).map(toDrift);
}

function toDrift(difference: SchemaDifference): DriftDifference {
  const { kind } = difference.object;
  const name = shownName(kind, difference.object.name);
  if (difference.type !== 'changed') return { kind, name, change: difference.type };
  return { kind, name, change: 'changed', attribute: difference.attribute, database: difference.actual, migrations: difference.expected };
}

const ON_RELATION = new Set(['index', 'constraint', 'trigger', 'policy', 'rule']);

/** `by_hand_idx on users` reads `users.by_hand_idx`; a domain's constraint keeps its own form. */
function shownName(kind: string, name: string): string {
  if (!ON_RELATION.has(kind)) return name;
  const at = name.lastIndexOf(' on ');
  const owner = name.slice(at + 4);
  return owner.startsWith('domain ') ? name : `${owner}.${name.slice(0, at)}`;
}

/** One line for a difference. */
export function describeDrift(difference: DriftDifference): string {
  const { kind, name } = difference;
  if (difference.change === 'extra') return `extra ${kind} ${name}: not in the migrations (write a migration for it, or drop it)`;
  if (difference.change === 'missing') return `${kind} ${name}: missing from the database (the migrations create it; restore it)`;
  const was = difference.migrations ?? null;
  const is = difference.database ?? null;
  if (difference.attribute === COLUMN_ORDER)
    return `${kind} ${name}: column order ${is ?? 'none'} in the database, ${was ?? 'none'} in the migrations`;
  const shown = showPair(was, is);
  return `${kind} ${name}: ${difference.attribute} ${shown.actual} in the database, ${shown.expected} in the migrations`;
}

/** The closing line: equal, or how many differences and what to do. */
export function driftSummary(differences: readonly DriftDifference[], applied: number): string {
  const history = `its ${plural(applied, 'applied migration')} ${applied === 1 ? 'builds' : 'build'}`;
  if (differences.length === 0) return `No drift: the database matches what ${history}`;
  return `Drift: ${plural(differences.length, 'difference')} between the database and what ${history}; write a migration for what should stay, undo the rest by hand`;
}
