/**
 * The partitions that partition upkeep creates and drops for the registered tables: they come
 * and go every period without a migration, so `dump` leaves them out (and names the rule on
 * the parent instead). The one place `dump` reads the partitions module.
 */
import type { ClientBase } from 'pg';
import type { JournalNames } from '../db/journal-sql.js';
import { quoteIdentifier } from '../db/identifiers.js';
import { readKey, readPartitions, resolveTable } from '../partitions/catalog.js';
import { PartitionSetupError } from '../partitions/types.js';
import { INTERVAL_ADJECTIVE, type PartitionInterval, partitionNameOf, periodEnd, periodOf, periodStart } from '../partitions/periods.js';
import type { ExistingPartition } from '../partitions/plan.js';
import { readRegistry } from '../partitions/registry.js';
import type { ManagedTable } from './model.js';

export interface ManagedPartitions {
  tables: ManagedTable[];
  /** The partitions upkeep manages, quoted and qualified. */
  partitions: string[];
}

/**
 * True for a partition upkeep would have made: the period's name and exactly its range. A
 * hand-made partition of another name or range (an archive, the default) stays in the dump. Pure.
 */
export function isManagedPartition(table: string, interval: PartitionInterval, partition: ExistingPartition): boolean {
  if (partition.isDefault || partition.from === null || partition.to === null) return false;
  const period = periodOf(partition.from, interval);
  return (
    partition.name === partitionNameOf(table, period) &&
    partition.from.getTime() === periodStart(period).getTime() &&
    partition.to.getTime() === periodEnd(period).getTime()
  );
}

/** The registered tables and their managed partitions; a table upkeep cannot manage has none. */
export async function readManagedPartitions(client: ClientBase, journal: JournalNames): Promise<ManagedPartitions> {
  const result: ManagedPartitions = { tables: [], partitions: [] };
  for (const entry of await readRegistry(client, journal)) {
    const name = `${quoteIdentifier(entry.schema)}.${quoteIdentifier(entry.table)}`;
    const info = await resolveTable(client, name);
    if (info?.relkind !== 'p') continue;
    try {
      const partitions = await readPartitions(client, name, info, await readKey(client, name, info));
      const managed = partitions.filter((partition) => isManagedPartition(info.relname, entry.interval, partition));
      result.partitions.push(...managed.map((partition) => partition.sql));
    } catch (error) {
      if (!(error instanceof PartitionSetupError)) throw error;
      continue; // upkeep refuses this table, so it manages none of its partitions
    }
    // As the table rows name it (regclass under an empty search_path), so the note finds its table.
    const { rows } = await client.query<{ shown: string }>('SELECT $1::pg_catalog.oid::pg_catalog.regclass::text AS shown', [info.oid]);
    const shown = rows[0]?.shown ?? name;
    result.tables.push({ name: shown, interval: INTERVAL_ADJECTIVE[entry.interval], ahead: entry.ahead, retain: entry.retain });
  }
  return result;
}
