import type { SourceId, SourceRow, SourceState, SourceTool } from '../types.js';
import { isoUtc } from './sql.js';

/** A versioned migration's file name: `V<version>__<description>.sql` (`1_1` is `1.1`). */
const VERSIONED_FILE = /^V(\d+(?:[._]\d+)*)__.*\.sql$/;
/** A repeatable migration's: `R__<description>.sql`. */
const REPEATABLE_FILE = /^R__(.*)\.sql$/;

/**
 * A repeatable migration's identity: its description (Flyway's key for it), from the script's
 * base name; it has no place among the versions.
 */
function repeatableId(script: string): SourceId | undefined {
  const match = REPEATABLE_FILE.exec(script.slice(script.lastIndexOf('/') + 1));
  return match ? { key: `repeatable:${match[1] as string}`, order: [] } : undefined;
}

/**
 * Flyway's identity of a version: its numbers without trailing zeros (`1.0` is `1`), ordered
 * number by number.
 */
function flywayId(version: string): SourceId {
  if (!/^\d+(\.\d+)*$/.test(version)) return { key: `not a version: ${version}`, order: [] };
  const parts = version.split('.').map((part) => BigInt(part));
  const trimmed = [...parts];
  while (trimmed.length > 1 && trimmed[trimmed.length - 1] === 0n) trimmed.pop();
  return { key: trimmed.join('.'), order: trimmed };
}

/** Rows that undo a version: `flyway undo` (Teams) writes UNDO_SQL, UNDO_JDBC, ... rows. */
const isUndo = (kind: string): boolean => kind.startsWith('UNDO');

/**
 * Flyway: `flyway_schema_history(installed_rank, version, description, type, script, checksum,
 * installed_by, installed_on, execution_time, success)`, read in installed_rank order as
 * Flyway does: a versioned row applies its version, an UNDO row or a successful DELETE row
 * (`flyway repair`) takes it back, the newest BASELINE row covers every version up to its own,
 * the SCHEMA row (Flyway created the schema) is no migration, a failed row (`success = false`)
 * blocks adoption until `flyway repair`. A repeatable migration (no version) is recorded when
 * `import` converted its file, and passed over with a note when no local file is its.
 */
export const flyway: SourceTool = {
  tool: 'flyway',
  title: 'Flyway',
  defaultTable: 'flyway_schema_history',
  columns: ['installed_rank', 'version', 'description', 'type', 'script', 'installed_on', 'execution_time', 'success'],
  selectSql: (quoted) =>
    `SELECT version::text AS version, script::text AS name, type::text AS kind, ${isoUtc('installed_on')} AS applied_at,
            execution_time AS execution_ms, success AS ok
       FROM ${quoted} ORDER BY installed_rank`,
  interpret(rows) {
    const state: SourceState = { applied: [], upTo: undefined, blocked: [], notes: [] };
    const applied = new Map<string, SourceState['applied'][number]>();
    for (const row of rows) readRow(row, state, applied);
    state.applied = [...applied.values()];
    return state;
  },
  fileId(path) {
    const match = VERSIONED_FILE.exec(path.slice(path.lastIndexOf('/') + 1));
    return match ? flywayId((match[1] as string).replace(/_/g, '.')) : repeatableId(path);
  },
  localId: ({ version }) => flywayId(String(version)),
};

function readRow(row: SourceRow, state: SourceState, applied: Map<string, SourceState['applied'][number]>): void {
  const kind = (row.kind ?? '').toUpperCase();
  const script = row.name ?? '';
  if (kind === 'SCHEMA') return;
  if (!row.ok) {
    state.blocked.push(
      `${row.version === null ? script : `version ${row.version} (${script})`} failed: fix the schema, then run flyway repair`,
    );
    return;
  }
  if (row.version === null) {
    // A repeatable migration: `import` converts it to a migration of its own, recorded when
    // its file is here; its newest row decides (Flyway re-applies it on every change).
    const id = repeatableId(script);
    if (!id) return;
    if (kind === 'DELETE') applied.delete(id.key);
    else {
      applied.delete(id.key);
      applied.set(id.key, {
        label: script,
        id,
        appliedAt: row.appliedAt ?? undefined,
        executionMs: row.executionMs ?? undefined,
        optional: true,
      });
    }
    return;
  }
  const id = flywayId(row.version);
  const entry = { label: row.version, id, appliedAt: row.appliedAt ?? undefined, executionMs: row.executionMs ?? undefined };
  if (kind === 'DELETE' || isUndo(kind)) applied.delete(id.key);
  else if (kind === 'BASELINE') state.upTo = { ...entry, fileRequired: false };
  else applied.set(id.key, entry);
}
