import { numericId, type SourceEntry, type SourceRow, type SourceState, type SourceTool } from '../types.js';
import { isoUtc, NO_DURATION, NO_KIND, NO_NAME, NO_TIME } from './sql.js';

/**
 * The tools whose versions are whole numbers that `import` keeps: dbmate, golang-migrate and
 * goose. A file's id is the number its name starts with; a local file's id is its version.
 */

const leadingNumber = (path: string): string | undefined => /^(\d+)/.exec(path.slice(path.lastIndexOf('/') + 1))?.[1];

const byNumber = {
  fileId: (path: string) => {
    const digits = leadingNumber(path);
    return digits === undefined ? undefined : numericId(digits);
  },
  localId: ({ version }: { version: number }) => numericId(String(version)),
};

const entry = (row: SourceRow, version: string): SourceEntry => ({
  label: version,
  id: numericId(version),
  appliedAt: row.appliedAt ?? undefined,
  executionMs: row.executionMs ?? undefined,
});

const empty = (): SourceState => ({ applied: [], upTo: undefined, blocked: [], notes: [] });

/** dbmate: `schema_migrations(version varchar PRIMARY KEY)`, one row per applied file, no time. */
export const dbmate: SourceTool = {
  tool: 'dbmate',
  title: 'dbmate',
  defaultTable: 'schema_migrations',
  columns: ['version'],
  selectSql: (quoted) =>
    `SELECT version::text AS version, ${NO_NAME}, ${NO_KIND}, ${NO_TIME}, ${NO_DURATION}, true AS ok FROM ${quoted} ORDER BY version`,
  interpret(rows) {
    const state = empty();
    for (const row of rows) if (row.version !== null) state.applied.push(entry(row, row.version));
    return state;
  },
  ...byNumber,
};

/**
 * golang-migrate: `schema_migrations(version bigint, dirty boolean)`, ONE row: the current
 * version, every migration up to it applied; `dirty` after a migration failed part way. No row:
 * nothing applied.
 */
export const golangMigrate: SourceTool = {
  tool: 'golang-migrate',
  title: 'golang-migrate',
  defaultTable: 'schema_migrations',
  columns: ['version', 'dirty'],
  selectSql: (quoted) =>
    `SELECT version::text AS version, ${NO_NAME}, ${NO_KIND}, ${NO_TIME}, ${NO_DURATION}, NOT dirty AS ok FROM ${quoted}`,
  interpret(rows) {
    const state = empty();
    for (const row of rows) {
      if (row.version === null) continue;
      if (!row.ok) {
        state.blocked.push(
          `version ${row.version} is dirty (a migration failed part way): fix the schema by hand, then run migrate force VERSION`,
        );
      } else if (BigInt(row.version) > 0n) {
        state.upTo = { ...entry(row, row.version), fileRequired: true };
      }
    }
    return state;
  },
  ...byNumber,
};

/**
 * goose: `goose_db_version(id, version_id, is_applied, tstamp)`. The newest row (highest id) of
 * each version decides, as goose reads it: goose 3 deletes a version's rows on down, older
 * versions added an `is_applied = false` row instead. Version 0 is the row goose writes when it
 * creates the table.
 */
export const goose: SourceTool = {
  tool: 'goose',
  title: 'goose',
  defaultTable: 'goose_db_version',
  columns: ['id', 'version_id', 'is_applied', 'tstamp'],
  selectSql: (quoted) =>
    `SELECT version_id::text AS version, ${NO_NAME}, ${NO_KIND}, ${isoUtc('tstamp')} AS applied_at, ${NO_DURATION}, is_applied AS ok
       FROM ${quoted} ORDER BY id`,
  interpret(rows) {
    const newest = new Map<string, SourceRow>();
    for (const row of rows) {
      if (row.version === null || BigInt(row.version) === 0n) continue;
      newest.delete(row.version); // keep the map in the order of each version's newest row
      newest.set(row.version, row);
    }
    const state = empty();
    for (const [version, row] of newest) if (row.ok) state.applied.push(entry(row, version));
    return state;
  },
  ...byNumber,
};
