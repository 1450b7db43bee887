import type { Migration } from '../migrations/parse.js';
import type { ImportHeader } from './provenance.js';
import { compareOrder, type SourceEntry, type SourceId, type SourceState, type SourceTool } from './types.js';

/** A local migration file with the import header it starts with, if any. */
export interface LocalMigration {
  migration: Migration;
  importedFrom: ImportHeader | undefined;
}

/** A local migration adopt records as applied, and what the source said of it. */
export interface AdoptionRecord {
  migration: Migration;
  /** How the source names it (`20240105093000`, `1.1`, `1704447000000_create-players`). */
  sourceVersion: string;
  /** When the source applied it (ISO 8601, UTC); undefined when it does not record that. */
  appliedAt: string | undefined;
  /** Flyway's execution_time; 0 elsewhere (aeturnis-db did not run it). */
  executionMs: number;
}

/** What adopt would do. */
export interface AdoptionPlan {
  /** Not in aeturnis-db's journal yet: to record, by version. */
  records: AdoptionRecord[];
  /** Already in aeturnis-db's journal: left as they are. */
  alreadyRecorded: AdoptionRecord[];
  /** Source entries with no local migration: adopt refuses while there are any. */
  unknown: string[];
  /** Rows that block adoption (dirty, failed). */
  blocked: string[];
  notes: string[];
}

/**
 * Matches what the source journal lists to the local migrations: a file with an import header
 * from this tool by the source file it names (exact after `import --renumber`), any other file
 * by its version (node-pg-migrate: version and name). "Everything up to V" (golang-migrate's
 * current version, Flyway's baseline) takes every local migration placed at or below V. Pure.
 */
export function planAdoption(
  source: SourceTool,
  state: SourceState,
  locals: readonly LocalMigration[],
  recorded: ReadonlySet<number>,
): AdoptionPlan {
  const identified = locals.map((local) => ({ migration: local.migration, id: idOf(source, local) }));
  const byKey = new Map<string, Migration>();
  for (const { migration, id } of identified) if (!byKey.has(id.key)) byKey.set(id.key, migration);

  const adopted = new Map<number, AdoptionRecord>();
  const unknown: string[] = [];
  const notes = [...state.notes];
  const adopt = (migration: Migration, entry: SourceEntry): void => {
    if (!adopted.has(migration.version)) adopted.set(migration.version, record(migration, entry));
  };
  for (const entry of state.applied) {
    const migration = byKey.get(entry.id.key);
    if (migration) adopt(migration, entry);
    else if (entry.optional) notes.push(`${source.title}'s ${entry.label} has no local file: adopt passes over it`);
    else unknown.push(entry.label);
  }
  const { upTo } = state;
  if (upTo) {
    if (upTo.fileRequired && !byKey.has(upTo.id.key)) unknown.push(upTo.label);
    else {
      for (const { migration, id } of identified) {
        if (id.order.length > 0 && compareOrder(id.order, upTo.id.order) <= 0)
          adopt(migration, { ...upTo, label: labelOf(id, upTo), executionMs: undefined });
      }
    }
  }
  const all = [...adopted.values()].sort((a, b) => a.migration.version - b.migration.version);
  return {
    records: all.filter((r) => !recorded.has(r.migration.version)),
    alreadyRecorded: all.filter((r) => recorded.has(r.migration.version)),
    unknown,
    blocked: state.blocked,
    notes,
  };
}

/** A local migration's id in the source tool's terms. */
function idOf(source: SourceTool, local: LocalMigration): SourceId {
  const header = local.importedFrom;
  if (header?.tool === source.tool) {
    for (const path of header.sources) {
      const id = source.fileId(path);
      if (id) return id;
    }
  }
  return source.localId(local.migration);
}

/** A migration covered by "everything up to V" is named by its own version in the source, when it has one. */
function labelOf(id: SourceId, upTo: SourceEntry): string {
  return id.order.length > 0 ? id.order.join('.') : upTo.label;
}

function record(migration: Migration, entry: SourceEntry): AdoptionRecord {
  return { migration, sourceVersion: entry.label, appliedAt: entry.appliedAt, executionMs: entry.executionMs ?? 0 };
}

/** What is left for `up` once the adopted migrations are recorded. */
export interface PendingAfter {
  pending: Migration[];
  /** Pending, but older than a recorded migration: `up` refuses them unless --allow-out-of-order. */
  outOfOrder: Migration[];
}

/**
 * The local migrations neither recorded before nor adopted now. Pure.
 */
export function pendingAfter(
  migrations: readonly Migration[],
  recorded: readonly number[],
  records: readonly AdoptionRecord[],
): PendingAfter {
  const done = new Set([...recorded, ...records.map((r) => r.migration.version)]);
  const newest = Math.max(0, ...done);
  const pending = migrations.filter((migration) => !done.has(migration.version));
  return { pending, outOfOrder: pending.filter((migration) => migration.version < newest) };
}
