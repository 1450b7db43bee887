import { orderOf } from '../../import/node-pg-migrate.js';
import type { SourceId, SourceTool } from '../types.js';
import { isoUtc } from './sql.js';

/**
 * node-pg-migrate's identity of a migration, from its name (`1704447000000_create-players`):
 * the number it orders by (a 17-digit UTC prefix becomes its milliseconds, as `import` numbers
 * it) and the rest of the name.
 */
function nodePgMigrateId(name: string): SourceId {
  const prefix = /^\d+/.exec(name)?.[0];
  const order = prefix === undefined ? Number.NaN : orderOf(prefix);
  if (prefix === undefined || !Number.isSafeInteger(order)) return { key: `not a migration name: ${name}`, order: [] };
  return { key: `${order}_${name.slice(prefix.length).replace(/^[_-]/, '')}`, order: [BigInt(order)] };
}

/**
 * node-pg-migrate: `pgmigrations(id, name, run_on)`, one row per applied migration, named by
 * its file name without the extension; a down deletes the row.
 */
export const nodePgMigrate: SourceTool = {
  tool: 'node-pg-migrate',
  title: 'node-pg-migrate',
  defaultTable: 'pgmigrations',
  columns: ['id', 'name', 'run_on'],
  selectSql: (quoted) =>
    `SELECT NULL::text AS version, name::text AS name, NULL::text AS kind, ${isoUtc('run_on')} AS applied_at,
            NULL::integer AS execution_ms, true AS ok
       FROM ${quoted} ORDER BY run_on, id`,
  interpret(rows) {
    const applied = rows.flatMap((row) =>
      row.name === null
        ? []
        : [{ label: row.name, id: nodePgMigrateId(row.name), appliedAt: row.appliedAt ?? undefined, executionMs: undefined }],
    );
    return { applied, upTo: undefined, blocked: [], notes: [] };
  },
  fileId(path) {
    // Its name is the file name without the extension: SQL (its sql loader's NAME.up.sql /
    // NAME.down.sql pair is the migration NAME), or a JS/TS module import built or wrote a
    // placeholder for.
    const base = path.slice(path.lastIndexOf('/') + 1);
    const match = /^(.*?)(?:\.(?:up|down))?\.(sql|js|cjs|mjs|ts|cts|mts)$/i.exec(base);
    return match ? nodePgMigrateId(match[1] as string) : undefined;
  },
  localId: ({ version, name }) => ({ key: `${version}_${name}`, order: [BigInt(version)] }),
};
