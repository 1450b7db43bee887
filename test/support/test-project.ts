import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { tempProject, type TempProject } from './project.js';
import { createRole, lines, watchCli, type TestRole, type WatchedCli } from './runner-safety.js';

/** Environment variables for one CLI run (undefined removes one). */
export type CliEnv = Record<string, string | undefined>;

export interface TestProjectOptions {
  /**
   * `each` (default): a fresh database for every test. `file`: one for all the tests of the
   * file, for files whose tests never change it (each asserts it stayed as it was).
   */
  database?: 'each' | 'file';
}

/** What {@link useTestProject} gives a test file. */
export interface TestProjectSetup {
  /** The current test's database: a stand-in that forwards to it, so it can be destructured once at the top of the file. */
  readonly db: TestDatabase;
  /** The current test's temp project (`migrations/` empty until the test writes files). */
  readonly project: TempProject;
  /** Runs the built CLI in the project against the test's database. */
  cli(args: string[], env?: CliEnv): Promise<CliResult>;
  /** Runs the built CLI in the project against another URL (a role's, one with options). */
  cliWithUrl(databaseUrl: string, args: string[], env?: CliEnv): Promise<CliResult>;
  /** Starts the CLI without waiting for it (against `databaseUrl`, default the test's database); killed (SIGKILL) after the test if still running. */
  start(args: string[], databaseUrl?: string): WatchedCli;
  /** The runners start() started in the current test (emptied, after killing them, when it ends). */
  readonly started: WatchedCli[];
  /** Creates a role, dropped after the test (once its database is dropped). */
  createRole(attributes: string): Promise<TestRole>;
  /** The versions in the journal `table`, ascending. */
  versions(table?: string): Promise<number[]>;
  /** The names of the tables in `schema`, sorted (the journal's `_metadata` companion left out). */
  tables(schema?: string): Promise<string[]>;
}

/**
 * Registers the setup most integration files repeat: before each test, a fresh database and an
 * empty temp project; after it, started runners killed, the database dropped, roles dropped and
 * the project removed, in that order. A file's own afterEach registered after this call runs
 * before that cleanup (vitest runs after-hooks in reverse order).
 *
 * @example
 * const { db, project, cli, versions } = useTestProject();
 * it('applies', async () => {
 *   project.write('0001_a.sql', tableMigration('a'));
 *   expect((await cli(['up'])).code).toBe(0);
 *   expect(await versions()).toEqual([1]);
 * });
 */
export function useTestProject(options: TestProjectOptions = {}): TestProjectSetup {
  const perFile = options.database === 'file';
  let currentDb: TestDatabase | undefined;
  let currentProject: TempProject | undefined;
  const started: WatchedCli[] = [];
  const roles: TestRole[] = [];

  const liveDb = (): TestDatabase => currentDb ?? outsideTest('db');
  const liveProject = (): TempProject => currentProject ?? outsideTest('project');

  (perFile ? beforeAll : beforeEach)(async () => {
    currentDb = await createTestDatabase();
  });
  beforeEach(() => {
    currentProject = tempProject();
  });
  afterEach(async () => {
    for (const runner of started.splice(0)) runner.child.kill('SIGKILL');
    if (!perFile) await dropDatabase();
    for (const role of roles.splice(0)) await role.drop();
    currentProject?.remove();
    currentProject = undefined;
  });
  if (perFile) afterAll(dropDatabase);

  async function dropDatabase(): Promise<void> {
    await currentDb?.drop();
    currentDb = undefined;
  }

  const db: TestDatabase = {
    get url() {
      return liveDb().url;
    },
    get name() {
      return liveDb().name;
    },
    query: <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => liveDb().query<T>(sql, params),
    drop: () => liveDb().drop(),
  };
  const project: TempProject = {
    get dir() {
      return liveProject().dir;
    },
    get migrationsDir() {
      return liveProject().migrationsDir;
    },
    write: (fileName, content) => liveProject().write(fileName, content),
    remove: () => liveProject().remove(),
  };

  return {
    db,
    project,
    cli: (args, env = {}) => runCli(args, { cwd: project.dir, databaseUrl: db.url, env }),
    cliWithUrl: (databaseUrl, args, env = {}) => runCli(args, { cwd: project.dir, databaseUrl, env }),
    started,
    start(args, databaseUrl = db.url) {
      const runner = watchCli(args, { cwd: project.dir, databaseUrl });
      started.push(runner);
      return runner;
    },
    async createRole(attributes) {
      const created = await createRole(attributes);
      roles.push(created);
      return created;
    },
    async versions(table = 'schema_migrations') {
      const rows = await db.query<{ v: string }>(`SELECT version::text AS v FROM ${table} ORDER BY version`);
      return rows.map((row) => Number(row.v));
    },
    async tables(schema = 'public') {
      // The journal's `_metadata` companion (recorded environment, starting schemas) is bookkeeping, not the migrations'.
      const rows = await db.query<{ t: string }>(
        "SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 AND tablename !~ '_(metadata|partitions)$' ORDER BY 1",
        [schema],
      );
      return rows.map((row) => row.t);
    },
  };
}

function outsideTest(what: string): never {
  throw new Error(`useTestProject: ${what} exists only while a test runs (use it inside it/beforeEach, not at the top of the file)`);
}

/** Asserts that the CLI printed exactly one line on stderr, an `error:` line, and returns it. */
export function oneError(result: CliResult): string {
  const errors = lines(result.stderr);
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(/^error: /);
  return errors[0] as string;
}
