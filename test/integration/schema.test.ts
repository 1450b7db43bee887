/**
 * The Aeturnis schema shipped in migrations/: structure, constraints, trigger, cleanup function,
 * audit_log partitioning, and that every migration's DOWN undoes exactly its UP.
 * Each test gets its own database; migrations are applied with the built CLI, as users do.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, repoRoot, runCli } from '../support/cli.js';
import { type TestDatabase, createTestDatabase } from '../support/db.js';

const migrationsDir = join(repoRoot, 'migrations');
const migrationFiles = readdirSync(migrationsDir)
  .filter((f) => /^\d+_.+\.sql$/.test(f))
  .map((fileName) => ({ fileName, version: Number(/^(\d+)_/.exec(fileName)?.[1]) }))
  .sort((a, b) => a.version - b.version);

async function cli(db: TestDatabase, args: string[]): Promise<CliResult> {
  const result = await runCli([...args, '--dir', migrationsDir], { databaseUrl: db.url, cwd: repoRoot });
  expect(result.code, `aeturnis-db ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return result;
}

/** Runs `fn` on one connection (for session settings such as enable_seqscan). */
async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Text of an EXPLAIN, one plan line per array element. */
async function explain(client: pg.Client, sql: string, params: unknown[] = []): Promise<string> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Catalog snapshot: everything a migration can create in the user schemas, by name and
// definition (never by OID), minus the runner's own journal table.

const USER_SCHEMA = `nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`;
const NOT_JOURNAL = (relname: string) => `${relname} NOT LIKE 'schema\\_migrations%'`;
const NOT_EXTENSION_MEMBER = (classid: string, objid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '${classid}'::regclass AND dep.objid = ${objid} AND dep.deptype = 'e')`;

const SNAPSHOT_QUERIES: Record<string, string> = {
  schemas: `SELECT nspname AS item FROM pg_namespace WHERE ${USER_SCHEMA}`,
  extensions: `SELECT format('%s %s in %s: %s', extname, extversion, extnamespace::regnamespace,
                 coalesce(obj_description(oid, 'pg_extension'), '')) AS item FROM pg_extension`,
  relations: `SELECT format('%s.%s kind=%s partition=%s %s %s', n.nspname, c.relname, c.relkind, c.relispartition,
                 coalesce(pg_get_expr(c.relpartbound, c.oid), ''),
                 CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END) AS item
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE ${USER_SCHEMA} AND ${NOT_JOURNAL('c.relname')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`,
  columns: `SELECT format('%s.%s.%s %s notnull=%s default=%s', n.nspname, c.relname, a.attname,
                 format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS item
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE ${USER_SCHEMA} AND ${NOT_JOURNAL('c.relname')} AND a.attnum > 0 AND NOT a.attisdropped
                 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')`,
  indexes: `SELECT pg_get_indexdef(i.indexrelid) AS item
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE ${USER_SCHEMA} AND ${NOT_JOURNAL('c.relname')}`,
  constraints: `SELECT format('%s on %s: %s', con.conname, con.conrelid::regclass, pg_get_constraintdef(con.oid)) AS item
                FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
               WHERE ${USER_SCHEMA} AND ${NOT_JOURNAL('con.conrelid::regclass::text')}`,
  functions: `SELECT pg_get_functiondef(p.oid) AS item
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE ${USER_SCHEMA} AND p.prokind IN ('f', 'p') AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`,
  types: `SELECT format('%s.%s %s', n.nspname, t.typname, t.typtype) AS item
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                LEFT JOIN pg_class c ON c.oid = t.typrelid
               WHERE ${USER_SCHEMA} AND t.typcategory <> 'A' AND (t.typrelid = 0 OR c.relkind = 'c')
                 AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}`,
  triggers: `SELECT pg_get_triggerdef(t.oid) AS item FROM pg_trigger t WHERE NOT t.tgisinternal`,
  comments: `SELECT format('%s: %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description) AS item
                FROM pg_description d
               WHERE d.objoid >= 16384 AND pg_describe_object(d.classoid, d.objoid, d.objsubid) NOT LIKE '%schema\\_migrations%'`,
};

type Snapshot = Record<string, string[]>;

async function catalogSnapshot(db: TestDatabase): Promise<Snapshot> {
  return withClient(db.url, async (client) => {
    const snapshot: Snapshot = {};
    for (const [key, sql] of Object.entries(SNAPSHOT_QUERIES)) {
      const { rows } = await client.query<{ item: string }>(sql);
      snapshot[key] = rows.map((r) => r.item).sort();
    }
    return snapshot;
  });
}

// ---------------------------------------------------------------------------------------------

describe('every migration: DOWN undoes exactly its UP', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('there are migrations, numbered and in order', () => {
    expect(migrationFiles.length).toBeGreaterThanOrEqual(5);
    expect(migrationFiles.map((m) => m.fileName)).toEqual(migrationFiles.map((m) => m.fileName).sort());
  });

  it.each(migrationFiles.map((m, index) => ({ ...m, previous: index === 0 ? undefined : migrationFiles[index - 1]?.version })))(
    '$fileName: up, down 1 restores the catalog, up again succeeds',
    async ({ version, previous }) => {
      // Partition upkeep after `up` is not part of any migration (the partitions it makes outlive
      // a DOWN, as rows do): leave it out of the round trip.
      if (previous !== undefined) await cli(db, ['up', '--no-partitions', '--to', String(previous)]);
      const before = await catalogSnapshot(db);

      await cli(db, ['up', '--no-partitions', '--to', String(version)]);
      const afterUp = await catalogSnapshot(db);
      expect(afterUp).not.toEqual(before);

      await cli(db, ['down', '1']);
      expect(await catalogSnapshot(db)).toEqual(before);

      await cli(db, ['up', '--no-partitions', '--to', String(version)]);
      expect(await catalogSnapshot(db)).toEqual(afterUp);
    },
  );

  it('up of everything, then down --to 0, leaves the database as it was', async () => {
    const before = await catalogSnapshot(db);
    await cli(db, ['up']);
    await cli(db, ['down', '--to', '0']);
    expect(await catalogSnapshot(db)).toEqual(before);
  });

  it('a citext installed before the migrations is left installed by the DOWN of 0001', async () => {
    await db.query('CREATE EXTENSION citext');
    const before = await catalogSnapshot(db);
    await cli(db, ['up', '--to', String(migrationFiles[0]?.version)]);
    await cli(db, ['down', '1']);
    expect(await catalogSnapshot(db)).toEqual(before);
    expect(await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'citext'`)).toHaveLength(1);
  });
});

describe('the schema', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
    await cli(db, ['up']);
  });
  afterEach(async () => {
    await db.drop();
  });

  async function addUser(email: string, username: string, extra: Record<string, unknown> = {}): Promise<string> {
    const columns = ['email', 'username', 'password_hash', ...Object.keys(extra)];
    const values = [email, username, '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', ...Object.values(extra)];
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO users (${columns.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      values,
    );
    return row!.id;
  }

  it('has the tables and columns with their types, nullability and defaults', async () => {
    const rows = await db.query<{ table_name: string; column_name: string; type: string; not_null: boolean; default: string | null }>(
      `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relname IN ('users', 'user_security', 'audit_log', 'user_sessions')
          AND c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
    );
    const table = (name: string) =>
      Object.fromEntries(
        rows
          .filter((r) => r.table_name === name)
          .map((r) => [r.column_name, `${r.type}${r.not_null ? ' not null' : ''}${r.default ? ` default ${r.default}` : ''}`]),
      );

    expect(table('users')).toEqual({
      id: 'uuid not null default gen_random_uuid()',
      email: 'citext not null',
      username: 'citext not null',
      password_hash: 'text not null',
      roles: "text[] not null default ARRAY['user'::text]",
      status: "text not null default 'active'::text",
      email_verified: 'boolean not null default false',
      metadata: "jsonb not null default '{}'::jsonb",
      created_at: 'timestamp with time zone not null default now()',
      updated_at: 'timestamp with time zone not null default now()',
      last_login: 'timestamp with time zone',
    });
    expect(table('user_security')).toEqual({
      user_id: 'uuid not null',
      failed_login_attempts: 'integer not null default 0',
      locked_until: 'timestamp with time zone',
      two_factor_enabled: 'boolean not null default false',
      two_factor_secret: 'text',
      recovery_codes: 'text[] not null default ARRAY[]::text[]',
      password_changed_at: 'timestamp with time zone not null default now()',
      force_password_change: 'boolean not null default false',
    });
    expect(table('audit_log')).toEqual({
      id: 'uuid not null default gen_random_uuid()',
      actor_id: 'uuid',
      event_type: 'text not null',
      resource_type: 'text',
      resource_id: 'text',
      changes: "jsonb not null default '{}'::jsonb",
      ip_address: 'inet',
      user_agent: 'text',
      created_at: 'timestamp with time zone not null default now()',
    });
    expect(table('user_sessions')).toEqual({
      id: 'uuid not null default gen_random_uuid()',
      user_id: 'uuid not null',
      refresh_token_jti: 'text not null',
      ip_address: 'inet',
      user_agent: 'text',
      expires_at: 'timestamp with time zone not null',
      created_at: 'timestamp with time zone not null default now()',
      last_active_at: 'timestamp with time zone not null default now()',
      revoked_at: 'timestamp with time zone',
    });

    const pkeys = await db.query<{ rel: string; def: string }>(
      `SELECT conrelid::regclass::text AS rel, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE contype = 'p' AND conrelid::regclass::text IN ('users', 'user_security', 'audit_log', 'user_sessions') ORDER BY 1`,
    );
    expect(pkeys).toEqual([
      { rel: 'audit_log', def: 'PRIMARY KEY (id, created_at)' },
      { rel: 'user_security', def: 'PRIMARY KEY (user_id)' },
      { rel: 'user_sessions', def: 'PRIMARY KEY (id)' },
      { rel: 'users', def: 'PRIMARY KEY (id)' },
    ]);
  });

  it('has the foreign keys with their delete rules, each one indexed', async () => {
    const fks = await db.query<{ rel: string; def: string; indexed: boolean }>(
      `SELECT con.conrelid::regclass::text AS rel, pg_get_constraintdef(con.oid) AS def,
              EXISTS (SELECT 1 FROM pg_index i
                       WHERE i.indrelid = con.conrelid
                         AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] = con.conkey) AS indexed
         FROM pg_constraint con
        WHERE con.contype = 'f' AND con.conparentid = 0 AND con.connamespace = 'public'::regnamespace
        ORDER BY 1`,
    );
    expect(fks).toEqual([
      { rel: 'audit_log', def: 'FOREIGN KEY (actor_id) REFERENCES users(id) ON DELETE SET NULL', indexed: true },
      { rel: 'user_security', def: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE', indexed: true },
      { rel: 'user_sessions', def: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE', indexed: true },
    ]);
  });

  it('deleting a user cascades to user_security and user_sessions and keeps audit rows with actor NULL', async () => {
    const gone = await addUser('gone@example.com', 'gone_user');
    const stays = await addUser('stays@example.com', 'stays_user');
    for (const id of [gone, stays]) {
      await db.query('INSERT INTO user_security (user_id) VALUES ($1)', [id]);
      await db.query(`INSERT INTO user_sessions (user_id, refresh_token_jti, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
        id,
        `jti-${id}`,
      ]);
      await db.query(`INSERT INTO audit_log (actor_id, event_type) VALUES ($1, 'auth.login_succeeded')`, [id]);
    }

    await db.query('DELETE FROM users WHERE id = $1', [gone]);

    expect(await db.query('SELECT user_id FROM user_security ORDER BY 1')).toEqual([{ user_id: stays }]);
    expect(await db.query('SELECT user_id FROM user_sessions ORDER BY 1')).toEqual([{ user_id: stays }]);
    const audit = await db.query<{ actor_id: string | null }>(`SELECT actor_id FROM audit_log WHERE event_type = 'auth.login_succeeded'`);
    expect(audit).toHaveLength(2);
    expect(audit.map((r) => r.actor_id).sort()).toEqual([stays, null].sort());
  });

  it('email and username are unique regardless of case', async () => {
    await addUser('A@x.com', 'Alice');
    await expect(addUser('a@X.COM', 'someone_else')).rejects.toMatchObject({ code: '23505', constraint: 'users_email_key' });
    await expect(addUser('b@x.com', 'aLICE')).rejects.toMatchObject({ code: '23505', constraint: 'users_username_key' });
    await addUser('b@x.com', 'bob');
    expect(await db.query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 2 }]);
  });

  it('a lookup by differently-cased email or username finds the row through an index', async () => {
    const id = await addUser('Mixed.Case@Example.com', 'MixedCase');
    for (let i = 0; i < 50; i++) await addUser(`filler${i}@example.com`, `filler_${i}`);
    await db.query('ANALYZE users');

    expect(await db.query('SELECT id FROM users WHERE email = $1', ['mixed.case@EXAMPLE.COM'])).toEqual([{ id }]);
    expect(await db.query('SELECT id FROM users WHERE username = $1', ['MIXEDCASE'])).toEqual([{ id }]);

    await withClient(db.url, async (client) => {
      await client.query('SET enable_seqscan = off');
      // A parameter as the pg driver sends it (untyped), and a literal.
      const byEmail = await explain(client, 'SELECT id FROM users WHERE email = $1', ['MIXED.case@example.COM']);
      expect(byEmail).toMatch(/Index (Only )?Scan using users_email_key on users/);
      const byLiteral = await explain(client, `SELECT id FROM users WHERE email = 'MIXED.case@example.COM'`);
      expect(byLiteral).toMatch(/Index (Only )?Scan using users_email_key on users/);
      const byUsername = await explain(client, 'SELECT id FROM users WHERE username = $1', ['mixedcase']);
      expect(byUsername).toMatch(/Index (Only )?Scan using users_username_key on users/);
    });
  });

  it('roles default to {user}, status to active; unknown, duplicate, NULL or no roles and unknown statuses are rejected', async () => {
    const id = await addUser('d@x.com', 'defaults');
    expect(await db.query('SELECT roles, status, email_verified, metadata, last_login FROM users WHERE id = $1', [id])).toEqual([
      { roles: ['user'], status: 'active', email_verified: false, metadata: {}, last_login: null },
    ]);

    await addUser('m@x.com', 'moderator_admin', { roles: ['moderator', 'admin', 'user'], status: 'suspended' });
    await addUser('b@x.com', 'banned_user', { status: 'banned' });

    const rejected: [Record<string, unknown>, string][] = [
      [{ roles: ['superuser'] }, 'users_roles_known_check'],
      [{ roles: ['user', 'Admin'] }, 'users_roles_known_check'],
      [{ roles: ['user', null] }, 'users_roles_known_check'],
      [{ roles: [] }, 'users_roles_nonempty_check'],
      [{ roles: ['user', 'admin', 'user'] }, 'users_roles_distinct_check'],
      [{ status: 'deleted' }, 'users_status_check'],
      [{ status: 'ACTIVE' }, 'users_status_check'],
    ];
    for (const [extra, constraint] of rejected) {
      await expect(addUser('bad@x.com', 'bad_user', extra), JSON.stringify(extra)).rejects.toMatchObject({ code: '23514', constraint });
    }
    await expect(db.query(`UPDATE users SET roles = '{user,hacker}' WHERE id = $1`, [id])).rejects.toMatchObject({ code: '23514' });
    await expect(db.query(`UPDATE users SET status = NULL WHERE id = $1`, [id])).rejects.toMatchObject({ code: '23502' });
    await expect(db.query(`UPDATE users SET roles = NULL WHERE id = $1`, [id])).rejects.toMatchObject({ code: '23502' });
  });

  it('updated_at is set by the trigger on every update, even when the update tries to set it', async () => {
    const id = await addUser('t@x.com', 'trigger_user', { created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z' });
    const read = async () =>
      (
        await db.query<{ created_at: Date; updated_at: Date; db_now: Date }>(
          'SELECT created_at, updated_at, now() AS db_now FROM users WHERE id = $1',
          [id],
        )
      )[0]!;
    expect((await read()).updated_at.toISOString()).toBe('2020-01-01T00:00:00.000Z');

    await db.query('UPDATE users SET last_login = now() WHERE id = $1', [id]);
    const first = await read();
    expect(first.created_at.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(first.updated_at.getTime()).toBeGreaterThan(Date.parse('2020-01-02'));
    expect(Math.abs(first.db_now.getTime() - first.updated_at.getTime())).toBeLessThan(60_000);

    await db.query(`UPDATE users SET email_verified = true, updated_at = '2001-01-01T00:00:00Z' WHERE id = $1`, [id]);
    const second = await read();
    expect(second.updated_at.getTime()).toBeGreaterThan(first.updated_at.getTime());

    const triggers = await db.query<{ def: string }>(
      `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal ORDER BY tgname`,
    );
    expect(triggers).toEqual([
      {
        def: "CREATE TRIGGER audit_trail AFTER INSERT OR DELETE OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION audit_record_change('id', '{password_hash}', '{updated_at}')",
      },
      { def: 'CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION set_updated_at()' },
    ]);
  });

  it('user_security: one row per user, with its defaults and checks', async () => {
    const id = await addUser('s@x.com', 'security_user');
    await db.query('INSERT INTO user_security (user_id) VALUES ($1)', [id]);
    await expect(db.query('INSERT INTO user_security (user_id) VALUES ($1)', [id])).rejects.toMatchObject({ code: '23505' });
    await expect(db.query('INSERT INTO user_security (user_id) VALUES (gen_random_uuid())')).rejects.toMatchObject({ code: '23503' });
    const [row] = await db.query(
      'SELECT failed_login_attempts, locked_until, two_factor_enabled, recovery_codes, force_password_change FROM user_security WHERE user_id = $1',
      [id],
    );
    expect(row).toEqual({
      failed_login_attempts: 0,
      locked_until: null,
      two_factor_enabled: false,
      recovery_codes: [],
      force_password_change: false,
    });
    await expect(db.query('UPDATE user_security SET failed_login_attempts = -1 WHERE user_id = $1', [id])).rejects.toMatchObject({
      code: '23514',
      constraint: 'user_security_failed_login_attempts_check',
    });
    await expect(db.query('UPDATE user_security SET two_factor_enabled = true WHERE user_id = $1', [id])).rejects.toMatchObject({
      code: '23514',
      constraint: 'user_security_two_factor_check',
    });
    await db.query(`UPDATE user_security SET two_factor_enabled = true, two_factor_secret = 'enc:abc' WHERE user_id = $1`, [id]);
  });

  it('user_sessions: unique refresh token jti, indexes for active sessions and expiry', async () => {
    const id = await addUser('u@x.com', 'session_user');
    await db.query(`INSERT INTO user_sessions (user_id, refresh_token_jti, expires_at) VALUES ($1, 'jti-1', now() + interval '1 day')`, [
      id,
    ]);
    await expect(
      db.query(`INSERT INTO user_sessions (user_id, refresh_token_jti, expires_at) VALUES ($1, 'jti-1', now() + interval '1 day')`, [id]),
    ).rejects.toMatchObject({ code: '23505', constraint: 'user_sessions_refresh_token_jti_key' });

    const indexes = (await db.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'user_sessions'`)).map(
      (r) => r.def,
    );
    expect(indexes).toEqual(
      expect.arrayContaining([
        'CREATE UNIQUE INDEX user_sessions_refresh_token_jti_key ON public.user_sessions USING btree (refresh_token_jti)',
        'CREATE INDEX user_sessions_user_id_idx ON public.user_sessions USING btree (user_id)',
        'CREATE INDEX user_sessions_user_id_active_idx ON public.user_sessions USING btree (user_id, expires_at) WHERE (revoked_at IS NULL)',
        'CREATE INDEX user_sessions_expires_at_idx ON public.user_sessions USING btree (expires_at)',
        'CREATE INDEX user_sessions_revoked_at_idx ON public.user_sessions USING btree (revoked_at) WHERE (revoked_at IS NOT NULL)',
      ]),
    );

    await withClient(db.url, async (client) => {
      await client.query('SET enable_seqscan = off');
      const active = await explain(
        client,
        'SELECT id FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()',
        [id],
      );
      expect(active).toMatch(/Index.* on user_sessions/);
    });
  });

  it('cleanup_expired_sessions() deletes expired and long-revoked sessions only, and returns how many', async () => {
    const id = await addUser('c@x.com', 'cleanup_user');
    const sessions: [string, string, string | null][] = [
      // jti, expires_at, revoked_at
      ['active', `now() + interval '1 day'`, null],
      ['expired', `now() - interval '1 minute'`, null],
      ['revoked-recently', `now() + interval '1 day'`, `now() - interval '1 day'`],
      ['revoked-long-ago', `now() + interval '60 days'`, `now() - interval '31 days'`],
      ['revoked-and-expired', `now() - interval '1 hour'`, `now() - interval '2 hours'`],
    ];
    for (const [jti, expiresAt, revokedAt] of sessions) {
      await db.query(
        `INSERT INTO user_sessions (user_id, refresh_token_jti, created_at, expires_at, revoked_at)
         VALUES ($1, $2, now() - interval '90 days', ${expiresAt}, ${revokedAt ?? 'NULL'})`,
        [id, jti],
      );
    }
    const remaining = async () =>
      (await db.query<{ jti: string }>('SELECT refresh_token_jti AS jti FROM user_sessions ORDER BY 1')).map((r) => r.jti);

    expect(await db.query('SELECT cleanup_expired_sessions() AS deleted')).toEqual([{ deleted: '3' }]);
    expect(await remaining()).toEqual(['active', 'revoked-recently']);

    expect(await db.query('SELECT cleanup_expired_sessions() AS deleted')).toEqual([{ deleted: '0' }]);
    expect(await db.query(`SELECT cleanup_expired_sessions(interval '12 hours') AS deleted`)).toEqual([{ deleted: '1' }]);
    expect(await remaining()).toEqual(['active']);
    expect(await db.query(`SELECT cleanup_expired_sessions(revoked_retention => interval '0') AS deleted`)).toEqual([{ deleted: '0' }]);
    expect(await remaining()).toEqual(['active']);

    await expect(db.query(`SELECT cleanup_expired_sessions(interval '-1 day')`)).rejects.toMatchObject({ code: '22023' });
    await expect(db.query(`SELECT cleanup_expired_sessions(NULL)`)).rejects.toMatchObject({ code: '22023' });
  });

  it('audit_log is range-partitioned by month on created_at, with the lookup indexes', async () => {
    const [parent] = await db.query<{ key: string; pkey: string }>(
      `SELECT pg_get_partkeydef('audit_log'::regclass) AS key,
              (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'audit_log'::regclass AND contype = 'p') AS pkey`,
    );
    expect(parent).toEqual({ key: 'RANGE (created_at)', pkey: 'PRIMARY KEY (id, created_at)' });

    const indexes = (
      await db.query<{ def: string }>(`SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'audit_log'::regclass`)
    ).map((r) => r.def);
    expect(indexes.sort()).toEqual(
      [
        'CREATE INDEX audit_log_actor_id_created_at_idx ON ONLY public.audit_log USING btree (actor_id, created_at DESC)',
        'CREATE INDEX audit_log_created_at_idx ON ONLY public.audit_log USING btree (created_at)',
        'CREATE INDEX audit_log_event_type_created_at_idx ON ONLY public.audit_log USING btree (event_type, created_at DESC)',
        'CREATE INDEX audit_log_resource_created_at_idx ON ONLY public.audit_log USING btree (resource_type, resource_id, created_at DESC)',
        'CREATE UNIQUE INDEX audit_log_pkey ON ONLY public.audit_log USING btree (id, created_at)',
      ].sort(),
    );

    // `up` created the current month and 3 ahead (UTC), besides the default partition.
    const partitions = (
      await db.query<{ name: string }>(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'audit_log'::regclass`)
    ).map((r) => r.name);
    const expectedMonths = await db.query<{ name: string }>(
      `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m), '"audit_log_"YYYY_MM') AS name
         FROM generate_series(0, 3) AS m`,
    );
    expect(partitions.sort()).toEqual([...expectedMonths.map((r) => r.name), 'audit_log_default'].sort());
  });

  it('audit rows land in the current month partition, or in audit_log_default beyond the created months', async () => {
    const actor = await addUser('a@x.com', 'auditor');
    const insert = async (createdAt: string) =>
      (
        await db.query<{ part: string; created_at: Date }>(
          `INSERT INTO audit_log (actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent, created_at)
           VALUES ($1::uuid, 'user.updated', 'user', $1::text, '{"before": {"status": "active"}, "after": {"status": "suspended"}}',
                   '203.0.113.7', 'vitest', ${createdAt})
           RETURNING tableoid::regclass::text AS part, created_at`,
          [actor],
        )
      )[0]!;
    const [{ current, fiveAhead }] = (await db.query<{ current: string; fiveAhead: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC', '"audit_log_"YYYY_MM') AS current,
              to_char((now() AT TIME ZONE 'UTC') + interval '5 months', '"audit_log_"YYYY_MM') AS "fiveAhead"`,
    )) as [{ current: string; fiveAhead: string }];

    expect((await insert('now()')).part).toBe(current);
    // The first instant of the current UTC month belongs to it.
    expect((await insert(`date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)).part).toBe(current);
    // Five months ahead has no partition yet: the default partition takes it.
    expect((await insert(`now() + interval '5 months'`)).part).toBe('audit_log_default');
    expect(await db.query(`SELECT to_regclass($1) AS rel`, [fiveAhead])).toEqual([{ rel: null }]);

    await expect(db.query(`INSERT INTO audit_log (event_type) VALUES ('')`)).rejects.toMatchObject({ code: '23514' });
    await expect(db.query(`INSERT INTO audit_log (event_type, resource_id) VALUES ('x', '1')`)).rejects.toMatchObject({
      code: '23514',
      constraint: 'audit_log_resource_check',
    });
    await expect(db.query(`INSERT INTO audit_log (event_type, changes) VALUES ('x', '[1]')`)).rejects.toMatchObject({ code: '23514' });
    await expect(db.query(`INSERT INTO audit_log (event_type, actor_id) VALUES ('x', gen_random_uuid())`)).rejects.toMatchObject({
      code: '23503',
    });

    const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor_id = $1`, [actor])) as [
      { n: number },
    ];
    expect(n).toBe(3);
  });
});
