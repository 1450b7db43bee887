import { AeturnisError, ExitCode } from '../errors.js';
import { ensureJournal, resolveJournal, type Journal } from '../journal/journal.js';
import type { TableName } from '../identifiers.js';
import { openSession, type Session } from '../connection/session.js';
import type { SessionOptions } from '../connection/session.js';
import type { VerifyEmit } from './events.js';
import { emptyScratch, readStartingState, type StartingState } from './empty-scratch.js';
import { resolveConnection } from '../connection/settings.js';
import { copyDatabaseSettings, readDatabaseSettings, settingName, type StoredSetting } from './database-settings.js';
import { runScratchSetup, type ScratchSetup } from './scratch-setup.js';
import {
  assertEmptyScratch,
  assertNotTargetDatabase,
  createScratchDatabase,
  dropScratchDatabase,
  probeApplicationName,
  scratchConnection,
  scratchDatabaseName,
  type ScratchCommand,
} from './scratch.js';

/** The database verify (or drift) works in, with its journal table, and a way back to how it started. */
export interface ScratchDatabase {
  readonly name: string;
  /** true: created next to the target (dropped by close); false: given with scratchUrl (kept). */
  readonly created: boolean;
  /** The connection to it, replaced by {@link ScratchDatabase.reset}; undefined once closed. */
  readonly session: Session | undefined;
  /** Its journal table, resolved on that connection. */
  readonly journal: Journal | undefined;
  /** {@link ScratchDatabase.reset} can bring it back (a created one always; a given one when its starting state was read). */
  readonly resettable: boolean;
  /** Brings it back to how it started (journal table included), for a rebuild. */
  reset(): Promise<void>;
  /** Closes the connection; drops the database when it was created. Never throws. */
  close(): Promise<void>;
}

/** What opening the scratch database needs. */
export interface ScratchOptions extends SessionOptions {
  scratchUrl?: string | undefined;
  /** The database will be reset: a given one is checked to be safely resettable first. */
  resettable: boolean;
  journal: TableName;
  /** `--scratch-setup FILE`, run before the first migration and after every reset. */
  setup?: ScratchSetup | undefined;
  /** Named in its messages and in a created database's name (default verify). */
  command?: ScratchCommand | undefined;
}

type Emit = VerifyEmit;

/**
 * Creates a scratch database next to the target, or opens (and checks) the one given with
 * `scratchUrl`, and creates the journal table in it. On failure nothing is left behind.
 */
export async function openScratchDatabase(options: ScratchOptions, emit: Emit): Promise<ScratchDatabase> {
  return options.scratchUrl !== undefined ? openGivenScratch(options, options.scratchUrl, emit) : openCreatedScratch(options, emit);
}

async function openCreatedScratch(options: ScratchOptions, emit: Emit): Promise<ScratchDatabase> {
  const name = scratchDatabaseName(options.command);
  const scratchOptions: SessionOptions = { ...options, ...scratchConnection(options, name, options.command) };
  const connect = async (): Promise<Session> => openSession(scratchOptions, emit);
  const admin = await openSession(options, emit);
  let settings: StoredSetting[];
  try {
    settings = await readDatabaseSettings(admin.client);
    await createScratchDatabase(admin, name, options.command);
  } catch (error) {
    await admin.close();
    throw error;
  }
  const scratch = new CreatedScratch(name, admin, connect, emit, options.journal, {
    command: options.command,
    settings,
    setup: options.setup,
  });
  emit({ type: 'verify-scratch', database: name, created: true, settings: settings.map(settingName), setup: options.setup?.file });
  try {
    await scratch.open();
  } catch (error) {
    await scratch.close();
    throw error;
  }
  return scratch;
}

async function openGivenScratch(options: ScratchOptions, url: string, emit: Emit): Promise<ScratchDatabase> {
  const name = new URL(url).pathname.slice(1) || '(default database)';
  emit({ type: 'verify-scratch', database: name, created: false, settings: [], setup: options.setup?.file });
  const connect = (): Promise<Session> => openSession({ ...options, connection: undefined, databaseUrl: url }, emit);
  let session = await connect();
  try {
    await assertNotTarget(options, session, emit);
    await assertEmptyScratch(session, `--scratch-url database ${name}`, options.command);
    const start = options.resettable ? await readStartingState(session, name) : undefined;
    session = await setUp(session, options.setup, name, connect);
    const journal = await prepareJournal(session, options.journal);
    return new GivenScratch(name, session, start, options.journal, journal, { setup: options.setup, connect });
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * Runs the setup file, then connects again: an `ALTER DATABASE ... SET` in it applies to new
 * connections only. Without a setup file the session is kept.
 */
async function setUp(session: Session, setup: ScratchSetup | undefined, name: string, connect: () => Promise<Session>): Promise<Session> {
  if (!setup) return session;
  try {
    await runScratchSetup(session.client, setup, name);
  } finally {
    await session.close();
  }
  return connect();
}

/**
 * Refuses a scratch URL that reaches the target database (see assertNotTargetDatabase), on a
 * probe connection of the target that carries a name of its own. Without a configured target
 * (the embedded database would be started for nothing) there is nothing to compare with.
 */
async function assertNotTarget(options: ScratchOptions, scratch: Session, emit: Emit): Promise<void> {
  if (!options.connection && resolveConnection(options.databaseUrl, options.env ?? process.env).kind === 'embedded') return;
  const probe = await openSession(options, emit);
  try {
    if (!options.connection)
      await probe.client.query("SELECT pg_catalog.set_config('application_name', $1, false)", [probeApplicationName()]);
    await assertNotTargetDatabase(probe.client, scratch.client, '--scratch-url', options.command);
  } finally {
    await probe.close();
  }
}

/** A database created next to the target: reset drops and creates it again. */
class CreatedScratch implements ScratchDatabase {
  readonly created = true;
  readonly resettable = true;
  session: Session | undefined;
  journal: Journal | undefined;

  constructor(
    readonly name: string,
    private readonly admin: Session,
    private readonly connect: () => Promise<Session>,
    private readonly emit: Emit,
    private readonly requestedJournal: TableName,
    /** The command it serves, and what makes it like the target: its settings, the setup file. */
    private readonly recipe: { command: ScratchCommand | undefined; settings: readonly StoredSetting[]; setup: ScratchSetup | undefined },
  ) {}

  /** Gives the new database the target's settings, runs the setup file, creates the journal. */
  async open(): Promise<void> {
    const warn = (message: string): void => this.emit({ type: 'warning', message });
    await copyDatabaseSettings(this.admin.client, this.name, this.recipe.settings, warn);
    const session = await setUp(await this.connect(), this.recipe.setup, this.name, this.connect);
    try {
      this.journal = await prepareJournal(session, this.requestedJournal);
    } catch (error) {
      await session.close();
      throw error;
    }
    this.session = session;
  }

  async reset(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
    const failure = await dropScratchDatabase(this.admin, this.name);
    if (failure) throw new AeturnisError(`could not drop scratch database ${this.name} to rebuild it: ${failure}`, ExitCode.sqlFailed);
    await createScratchDatabase(this.admin, this.name, this.recipe.command);
    await this.open();
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
    const failure = await dropScratchDatabase(this.admin, this.name);
    if (failure) this.emit({ type: 'verify-cleanup-failed', database: this.name, reason: failure });
    await this.admin.close();
  }
}

/** A database the user gave: never dropped; reset empties it (only when it was checked to be safe). */
class GivenScratch implements ScratchDatabase {
  readonly created = false;
  session: Session | undefined;

  constructor(
    readonly name: string,
    session: Session,
    private readonly start: StartingState | undefined,
    private readonly requestedJournal: TableName,
    public journal: Journal | undefined,
    private readonly again: { setup: ScratchSetup | undefined; connect: () => Promise<Session> },
  ) {
    this.session = session;
  }

  get resettable(): boolean {
    return this.start !== undefined;
  }

  async reset(): Promise<void> {
    if (!this.start || !this.session) throw new Error(`scratch database ${this.name} cannot be reset: its starting state was not read`);
    await emptyScratch(this.session, this.start);
    const session = this.session;
    this.session = undefined;
    this.session = await setUp(session, this.again.setup, this.name, this.again.connect);
    this.journal = await prepareJournal(this.session, this.requestedJournal);
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
  }
}

/** Resolves the journal on the scratch connection and creates it there. */
async function prepareJournal(session: Session, requested: TableName): Promise<Journal> {
  const journal = await resolveJournal(session.client, requested);
  await ensureJournal(session.client, journal);
  return journal;
}
