import type pg from 'pg';

/**
 * lock_timeout for a `-- aeturnis:no-transaction` migration. Its statements run one by one
 * outside a transaction, so there is no SET LOCAL: the session's setting is changed between
 * statements, only when the value needed changes, and only while it is still ours — once a
 * statement of the file has SET lock_timeout itself, the file's value wins for the rest of it.
 * The session's own value is put back when the migration ends (the journal write's RESET ALL
 * does that on success; {@link SessionLockTimeout.restore} after a failure).
 */
export class SessionLockTimeout {
  /** The session's value when the migration started (undefined: not read yet). */
  private before: string | undefined;
  /** The value the session should have if the file did not change it, as PostgreSQL reads it back (`100ms`, `1s`). */
  private expected: string | undefined;
  /** What we last asked for: ms, or undefined for the session's own value. */
  private requested: number | undefined;
  /** The file SET lock_timeout itself: leave it alone from now on. */
  private fileOwned = false;

  constructor(private readonly client: pg.ClientBase) {}

  /** Reads the session's value before the migration's first statement. */
  async start(): Promise<void> {
    const { rows } = await this.client.query<{ value: string }>("SELECT pg_catalog.current_setting('lock_timeout') AS value");
    this.before = rows[0]?.value;
    this.expected = this.before;
  }

  /** Sets lock_timeout to `ms` (undefined: back to the session's own value) for the next statement. */
  async use(ms: number | undefined): Promise<void> {
    if (this.before === undefined || this.fileOwned || ms === this.requested) return;
    if (await this.setIfUnchanged(ms === undefined ? this.before : `${ms}ms`)) this.requested = ms;
  }

  /** Puts the session's own value back, unless the file set its own. Never throws. */
  async restore(): Promise<void> {
    if (this.before === undefined || this.fileOwned || this.requested === undefined) return;
    await this.setIfUnchanged(this.before).catch(() => false);
  }

  /** Sets `value` when the session still has what we expect; false (and hands over) when the file changed it. */
  private async setIfUnchanged(value: string): Promise<boolean> {
    const { rows } = await this.client.query<{ value: string | null }>(
      "SELECT CASE WHEN pg_catalog.current_setting('lock_timeout') = $1 THEN pg_catalog.set_config('lock_timeout', $2, false) END AS value",
      [this.expected, value],
    );
    const set = rows[0]?.value ?? null;
    if (set === null) {
      this.fileOwned = true;
      return false;
    }
    this.expected = set;
    return true;
  }
}
