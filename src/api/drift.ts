import { InterruptedError, signalOf, UsageError } from '../errors.js';
import { readJournal } from '../journal/journal.js';
import { buildExpectedSchema } from '../drift/build.js';
import { compareSchemas, describeDrift, driftSummary, readComparableSchema, type DriftDifference } from '../drift/compare.js';
import { appliedHistory, ExpectedSchemaCache, type ExpectedSchema } from '../drift/history.js';
import { absentEmbeddedDatabase } from './embedded-state.js';
import { commandMigrations, journalTable, type CommonOptions } from './options.js';
import { resolveCommandConnection, withSession } from './scope.js';

export { ExpectedSchemaCache } from '../drift/history.js';
export type { DriftDifference } from '../drift/compare.js';

/** Options of {@link drift}. */
export interface DriftOptions extends CommonOptions {
  /** An empty database drift may build in; by default one is created next to the target and dropped afterwards. */
  scratchUrl?: string | undefined;
  /**
   * Expected schemas already built, by applied history: pass one cache to every call of a run
   * over many databases, and each distinct history is built once (default: a cache of this call).
   */
  expectedSchemas?: ExpectedSchemaCache | undefined;
  /** Told when this call built an expected schema (not when it came from `expectedSchemas`). */
  onExpectedBuilt?: ((built: { database: string; steps: number; ms: number }) => void) | undefined;
}

/** Result of {@link drift}. */
export interface DriftResult {
  /** true when the database differs from what its applied migrations build. */
  drifted: boolean;
  /** In a stable order (containers first, then by kind and name); what a bigger one implies is left out. */
  differences: DriftDifference[];
  /** One readable line per difference. */
  lines: string[];
  /** One closing line. */
  summary: string;
  /** Applied migrations (journal rows) the expected schema was built from. */
  applied: number;
  /** Where the expected schema came from: built by this call, or taken from `expectedSchemas`. */
  expected: { built: boolean; database: string };
}

/**
 * Compares the live database with the schema its applied migrations build: on a scratch
 * database (created next to the target and always dropped, or `scratchUrl`), the journal's
 * migrations are applied from the local files in the order they were applied (a no-transaction
 * migration that stopped part way as far as it got), then both schemas are read from the catalogs
 * and compared. The journal's tables and the partitions upkeep manages are expected, not drift.
 * Read-only on the target. Throws ValidationError (exit 3, nothing built) when an applied file
 * is modified or missing, UsageError (exit 2) when an applied file is a placeholder.
 *
 * @example
 * const { drifted, lines } = await drift({ databaseUrl: process.env.DATABASE_URL });
 * if (drifted) for (const line of lines) console.log(line); // "extra index users.by_hand_idx: not in the migrations ..."
 */
export async function drift(options: DriftOptions = {}): Promise<DriftResult> {
  if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
  const migrations = commandMigrations(options);
  const resolved = resolveCommandConnection(options);
  if ((await absentEmbeddedDatabase(options, resolved)) !== undefined) {
    throw new UsageError('drift: no database is configured and the embedded database does not exist yet: there is nothing to compare');
  }
  const cache = options.expectedSchemas ?? new ExpectedSchemaCache();
  const emit = options.onEvent ?? (() => {});
  return withSession(
    options,
    async ({ session, journal }) => {
      const { rows, partial } = await readJournal(session.client, journal);
      const history = appliedHistory(migrations, rows, partial);
      let dropping: Promise<void> | undefined;
      const build = async (): Promise<ExpectedSchema> => {
        const { table: _table, dir: _dir, migrationFiles: _files, ...connection } = options;
        const { schema, closed } = await buildExpectedSchema({ ...connection, journal: journalTable(options) }, history.steps, emit);
        dropping = closed;
        options.onExpectedBuilt?.({ database: schema.database, steps: schema.steps, ms: schema.ms });
        return schema;
      };
      try {
        const { schema, built } = await cache.get(history.key, build);
        const differences = compareSchemas(schema, await readComparableSchema(session.client, journal));
        return {
          drifted: differences.length > 0,
          differences,
          lines: differences.map(describeDrift),
          summary: driftSummary(differences, history.applied),
          applied: history.applied,
          expected: { built, database: schema.database },
        };
      } finally {
        await dropping;
      }
    },
    undefined,
    { connection: resolved },
  );
}
