import { SOURCE_TOOLS } from '../adopt/tools/index.js';
import { adoptFromSource } from '../adopt/adopt.js';
import { withImportHeaders } from '../adopt/local-files.js';
import { pendingAfter, type AdoptionRecord } from '../adopt/plan.js';
import { urlSearchPath } from '../adopt/source-table.js';
import { inTransaction } from '../adopt/transaction.js';
import { ADOPT_TOOLS, type AdoptTool } from '../adopt/types.js';
import { parseTableName } from '../identifiers.js';
import { UsageError } from '../errors.js';
import type { Migration } from '../migrations/parse.js';
import type { PlannedMigration } from './events.js';
import { commandMigrations, migrationsDir, type CommonOptions } from './options.js';
import { withSession } from './scope.js';

export type { AdoptTool };

/** Options of {@link adopt}. */
export interface AdoptOptions extends CommonOptions {
  /** The tool whose journal to adopt: `dbmate`, `golang-migrate`, `goose`, `flyway`, `node-pg-migrate`. */
  from: AdoptTool | string;
  /** Its journal table, optionally schema-qualified (default: the tool's own default name). */
  sourceTable?: string | undefined;
  /** Read and check everything, record nothing. */
  dryRun?: boolean | undefined;
}

/** A local migration recorded as applied by adopt. */
export interface AdoptedMigration {
  version: number;
  name: string;
  fileName: string;
  /** The tool's name for it: `20240105093000`, `1.1`, `1704447000000_create-players`. */
  sourceVersion: string;
  /** When the tool applied it; undefined when its journal does not say (dbmate, golang-migrate): then the adopt's time. */
  appliedAt: Date | undefined;
  /** Flyway's execution_time; 0 for the other tools. */
  executionMs: number;
}

/** Result of {@link adopt}. */
export interface AdoptResult {
  from: AdoptTool;
  dryRun: boolean;
  /** The tool's journal that was read (`schema.table`); undefined when an earlier adopt did the work. */
  sourceTable: string | undefined;
  /** Its new name, when aeturnis-db's journal needed its name (dbmate, golang-migrate). */
  keptAs: string | undefined;
  /** aeturnis-db's journal (`schema.table`). */
  journal: string;
  /** Recorded now (on a dry run: would be), by version. */
  adopted: AdoptedMigration[];
  /** Listed by the tool and already in aeturnis-db's journal: left as they are. */
  alreadyRecorded: AdoptedMigration[];
  /** What `up` applies next. */
  pending: PlannedMigration[];
  /** An earlier adopt from this tool (then nothing was done). */
  earlier: { count: number; at: Date } | undefined;
  /** Things passed over (a Flyway repeatable migration) and pending migrations `up` will refuse as out of order. */
  warnings: string[];
}

/**
 * Records as applied, in aeturnis-db's journal, every local migration that another tool's
 * journal in the database lists, without running any, in one transaction under the runner
 * lock. The tool's table stays (renamed to `<name>_<tool>` when aeturnis-db's journal needs
 * its name). Rejects with `ValidationError` (exit 3) for a dirty or failed journal and for
 * entries with no local file, with `UsageError` (exit 2) when the tool's table is not there.
 *
 * @example
 * const { adopted, pending } = await adopt({ databaseUrl, from: 'dbmate' });
 */
export async function adopt(options: AdoptOptions): Promise<AdoptResult> {
  const source = SOURCE_TOOLS[toolOf(options.from)];
  const sourceTable = parseTableName(options.sourceTable ?? source.defaultTable, '--source-table');
  // The tool's default name: where it is not on search_path, look where the tool may have put it.
  const searchSchemas =
    options.sourceTable === undefined
      ? { urlSearchPath: urlSearchPath(options.databaseUrl ?? (options.env ?? process.env).DATABASE_URL) }
      : undefined;
  const dir = migrationsDir(options);
  const migrations = commandMigrations(options);
  const locals = withImportHeaders(dir, migrations);
  const dryRun = options.dryRun ?? false;
  return withSession(
    options,
    async ({ session, journal }) => {
      const outcome = await inTransaction(session.client, dryRun, () =>
        adoptFromSource(session.client, journal, { source, sourceTable, locals, dryRun, searchSchemas }),
      );
      const { plan } = outcome;
      const after = pendingAfter(migrations, outcome.recorded, plan.records);
      const outOfOrder = after.outOfOrder.map(
        (m) =>
          `${m.fileName} is not in ${source.title}'s journal, though later migrations are: up refuses it as out of order (--allow-out-of-order applies it)`,
      );
      return {
        from: source.tool,
        dryRun,
        sourceTable: outcome.sourceTable,
        keptAs: outcome.keptAs,
        journal: journal.display,
        adopted: plan.records.map(adopted),
        alreadyRecorded: plan.alreadyRecorded.map(adopted),
        pending: outcome.earlier ? [] : after.pending.map(planned),
        earlier: outcome.earlier,
        warnings: [...plan.notes, ...(outcome.earlier ? [] : [...outOfOrder, ...placeholdersLeft(after.pending, source.title)])],
      };
    },
    dryRun ? undefined : { createJournal: false },
    { resolve: { acceptForeign: true } },
  );
}

/** Placeholders the tool never applied here: `up` will refuse them, so say it now. */
function placeholdersLeft(pending: readonly Migration[], title: string): string[] {
  return pending.flatMap(({ fileName, placeholder }) =>
    placeholder
      ? [
          `${fileName} is a placeholder for ${placeholder.source}, which ${title}'s journal does not list: up refuses it until it is rewritten in SQL`,
        ]
      : [],
  );
}

function toolOf(from: string): AdoptTool {
  const tool = ADOPT_TOOLS.find((known) => known === from);
  if (!tool) throw new UsageError(`--from must be one of ${ADOPT_TOOLS.join(', ')} (got "${from}")`);
  return tool;
}

function adopted(record: AdoptionRecord): AdoptedMigration {
  const { version, name, fileName } = record.migration;
  return {
    version,
    name,
    fileName,
    sourceVersion: record.sourceVersion,
    appliedAt: record.appliedAt === undefined ? undefined : new Date(record.appliedAt),
    executionMs: record.executionMs,
  };
}

function planned({ version, name, fileName }: Migration): PlannedMigration {
  return { version, name, fileName };
}
