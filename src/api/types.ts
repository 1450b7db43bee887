import { randomBytes } from 'node:crypto';
import { InterruptedError, MigrationSqlError, signalOf, UsageError } from '../errors.js';
import { resolveConnection } from '../connection/settings.js';
import { journalOwnTables } from '../journal/sql.js';
import { openSession, type Session, type SessionOptions } from '../connection/session.js';
import type { MigratorEvent } from './events.js';
import { migrate, type MigrateOptions } from './migrate.js';
import type { CommonOptions } from './options.js';
import { withSession } from './scope.js';
import { readCatalog } from '../typegen/catalog.js';
import { renderDeclarations, type GeneratedDeclarations } from '../typegen/render.js';
import { createScratchDatabase, dropScratchDatabase, scratchConnection } from '../verify/scratch.js';
import { copyDatabaseSettings, readDatabaseSettings } from '../verify/database-settings.js';
import { readScratchSetup, runScratchSetup, withSetupHint, type ScratchSetup } from '../verify/scratch-setup.js';

/** Options of {@link generateTypes}. */
export interface TypesOptions extends CommonOptions {
  /**
   * Build a scratch database next to the target from the migrations, read it and drop it: the
   * target database is only used to create and drop the scratch one (CI needs no migrated database).
   */
  fromMigrations?: boolean | undefined;
  /** Schemas to read (default: every schema except PostgreSQL's own). */
  schemas?: readonly string[] | undefined;
  /** With fromMigrations: partition upkeep of the registered tables after migrating, as for {@link migrate}. */
  partitions?: MigrateOptions['partitions'];
  /**
   * With fromMigrations: an SQL file run on the scratch database before the first migration,
   * for what the target got from outside its migrations (schemas, roles); see verify's.
   */
  scratchSetup?: string | undefined;
}

/** Result of {@link generateTypes}. */
export interface TypesResult extends GeneratedDeclarations {
  /** With fromMigrations: the scratch database's name (dropped) and how many migrations built it. */
  scratch?: { database: string; migrations: number } | undefined;
}

/**
 * TypeScript declarations of the migrated schema: one exported interface per table and view,
 * a union per enum, and a `Database` interface in the shape Kysely expects. Reads the target
 * database (after `up`), or with `fromMigrations` a scratch database built from the migrations.
 * The journal table and its companions (journalOwnTables) are left out; partitions fold into their parent.
 *
 * @example
 * import { generateTypes } from 'aeturnis-db';
 * const { source } = await generateTypes({ databaseUrl: process.env.DATABASE_URL, fromMigrations: true });
 * await writeFile('src/db/schema.ts', source);
 */
export async function generateTypes(options: TypesOptions = {}): Promise<TypesResult> {
  if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
  const schemas = checkedSchemas(options.schemas);
  if (!options.fromMigrations) {
    if (options.scratchSetup !== undefined)
      throw new UsageError('--scratch-setup needs --from-migrations: it sets up the scratch database');
    return readDeclarations(options, schemas);
  }
  return fromScratchDatabase(options, schemas, readScratchSetup(options.scratchSetup));
}

function checkedSchemas(schemas: readonly string[] | undefined): readonly string[] | undefined {
  if (schemas === undefined) return undefined;
  const empty = schemas.find((schema) => schema.trim() === '');
  if (empty !== undefined || schemas.length === 0) throw new UsageError('--schema needs a schema name');
  return [...new Set(schemas)];
}

/** Reads the declarations from the database `options` connect to. */
async function readDeclarations(options: CommonOptions, schemas: readonly string[] | undefined): Promise<GeneratedDeclarations> {
  return withSession(options, async ({ session, journal }) => {
    const exclude = journalOwnTables(journal.table).map((table) => ({ schema: journal.schema, table }));
    return renderDeclarations(await readCatalog(session.client, { schemas, exclude }));
  });
}

/**
 * Creates a scratch database next to the target, applies every migration there (then the
 * partition step, as `up` does), reads it and always drops it.
 */
async function fromScratchDatabase(
  options: TypesOptions,
  schemas: readonly string[] | undefined,
  setup: ScratchSetup | undefined,
): Promise<TypesResult> {
  const emit = options.onEvent ?? (() => {});
  const warn = (message: string): void => emit({ type: 'warning', message });
  assertScratchPossible(options);
  const database = `aeturnis_types_${randomBytes(4).toString('hex')}`;
  const scratch: CommonOptions = { ...options, ...scratchConnection(options, database) };
  const admin = await openSession(options, emit);
  try {
    const settings = await readDatabaseSettings(admin.client);
    await createScratch(admin, database);
    try {
      // set up like the target: its database settings, then what it got from outside the migrations
      await copyDatabaseSettings(admin.client, database, settings, warn);
      if (setup) await runSetup(scratch, setup, database);
      const { applied } = await migrateScratch(scratch, options, database, setup !== undefined);
      const declarations = await readDeclarations({ ...scratch, onEvent: undefined }, schemas);
      return { ...declarations, scratch: { database, migrations: applied.length } };
    } finally {
      const failure = await dropScratchDatabase(admin, database);
      if (failure) warn(`could not drop scratch database ${database}: ${failure}`);
    }
  } finally {
    await admin.close();
  }
}

/** Runs the --scratch-setup file on its own connection (a database setting it sets applies to the next ones). */
async function runSetup(scratch: CommonOptions, setup: ScratchSetup, database: string): Promise<void> {
  const session = await openSession(scratch, () => {});
  try {
    await runScratchSetup(session.client, setup, database);
  } finally {
    await session.close();
  }
}

/** Applies every migration to the scratch database; an UP failing on a missing schema or role says what to do. */
async function migrateScratch(
  scratch: CommonOptions,
  options: TypesOptions,
  database: string,
  setupGiven: boolean,
): Promise<{ applied: readonly unknown[] }> {
  const emit = options.onEvent ?? (() => {});
  try {
    return await migrate({
      ...scratch,
      partitions: options.partitions,
      // Only warnings: "Applied 0001_..." lines would read as if the target had been migrated.
      onEvent: (event: MigratorEvent) => {
        if (event.type === 'warning') emit({ type: 'warning', message: `scratch database ${database}: ${event.message}` });
      },
    });
  } catch (error) {
    throw error instanceof MigrationSqlError ? withSetupHint(error, '--scratch-setup FILE', setupGiven) : error;
  }
}

async function createScratch(admin: Session, database: string): Promise<void> {
  try {
    await createScratchDatabase(admin, database);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Its message names verify's way out (--scratch-url); this command's is another.
    throw new UsageError(
      'types --from-migrations could not create its scratch database (permission denied to create database): grant CREATEDB to this role, or generate the types from a migrated database without --from-migrations',
    );
  }
}

/** The scratch database needs a real server reached by URL or PG* variables (not a handed-in connection, not the embedded database). */
function assertScratchPossible(options: SessionOptions): void {
  if (options.connection) {
    throw new UsageError(
      'types --from-migrations creates a scratch database: pass databaseUrl (a server it may create a database on), not a pg connection',
    );
  }
  if (resolveConnection(options.databaseUrl, options.env ?? process.env).kind === 'embedded') {
    throw new UsageError(
      'types --from-migrations creates a scratch database next to the target, and the embedded database cannot host a second one: set DATABASE_URL (or --database-url) to a PostgreSQL server',
    );
  }
}
export { describeDifferences, summarizeDifferences } from '../typegen/compare.js';
