/**
 * The audit trail of migration 0006: users, user_security and user_sessions record every INSERT,
 * UPDATE and DELETE in audit_log by themselves, with the changed values (secrets redacted) and
 * the actor, IP and user agent the application set with SET LOCAL. The shipped migrations are
 * applied with the built CLI, as users do; each test has a database of its own.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction, trail, trailHashes, withClient } from '../support/audit-trail.js';
import { type CliResult, repoRoot, runCli } from '../support/cli.js';
import { type TestDatabase, createTestDatabase } from '../support/db.js';

const migrationsDir = join(repoRoot, 'migrations');
const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0c2FsdA$U0VDUkVULUhBU0g';
const NEW_HASH = '$argon2id$v=19$m=65536,t=3,p=4$bmV3c2FsdA$TkVXLVNFQ1JFVC1IQVNI';

let db: TestDatabase;

async function cli(args: string[], expectedCode = 0): Promise<CliResult> {
  const result = await runCli([...args, '--dir', migrationsDir], { databaseUrl: db.url, cwd: repoRoot });
  expect(result.code, `aeturnis-db ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(expectedCode);
  return result;
}

async function addUser(username: string, passwordHash = HASH): Promise<string> {
  const [row] = await db.query<{ id: string }>('INSERT INTO users (email, username, password_hash) VALUES ($1, $2, $3) RETURNING id', [
    `${username}@example.com`,
    username,
    passwordHash,
  ]);
  return row!.id;
}

const count = async (where = 'true') => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE ${where}`))[0]!.n);
const redacted = '[redacted]';

beforeEach(async () => {
  db = await createTestDatabase();
  await cli(['up']);
});
afterEach(async () => {
  await db.drop();
});

describe('the shipped tables record their changes', () => {
  it('users: insert, update and delete, with password_hash redacted and updated_at alone no event', async () => {
    const id = await addUser('alice');
    await db.query(`UPDATE users SET status = 'suspended', email = 'Alice@Example.com' WHERE id = $1`, [id]);
    await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, NEW_HASH]);
    await db.query('DELETE FROM users WHERE id = $1', [id]);

    const [inserted, updated, secretOnly, deleted, ...rest] = await trail(db.url);
    expect(rest).toEqual([]);
    const row = { actor_id: null, resource_type: 'users', resource_id: id, ip_address: null, user_agent: null };
    expect(inserted).toMatchObject({ ...row, event_type: 'users.insert' });
    expect(inserted!.changes).toEqual({
      after: {
        id,
        email: 'alice@example.com',
        username: 'alice',
        password_hash: redacted,
        roles: ['user'],
        status: 'active',
        email_verified: false,
        metadata: {},
        created_at: expect.any(String),
        updated_at: expect.any(String),
        last_login: null,
      },
    });
    // Only what changed; updated_at (stamped by users_set_updated_at) is left out.
    expect(updated).toEqual({
      ...row,
      event_type: 'users.update',
      changes: { before: { status: 'active', email: 'alice@example.com' }, after: { status: 'suspended', email: 'Alice@Example.com' } },
    });
    // A change of the secret alone is recorded, without its values.
    expect(secretOnly).toEqual({
      ...row,
      event_type: 'users.update',
      changes: { before: { password_hash: redacted }, after: { password_hash: redacted } },
    });
    expect(deleted).toMatchObject({ ...row, event_type: 'users.delete' });
    expect(Object.keys(deleted!.changes)).toEqual(['before']);
    expect(deleted!.changes.before).toMatchObject({ id, status: 'suspended', password_hash: redacted });

    expect(await count(`changes::text LIKE '%argon2id%'`)).toBe(0);
  });

  it('user_security: insert, update and delete, with two_factor_secret and recovery_codes redacted', async () => {
    const id = await addUser('bob');
    await db.query(
      `INSERT INTO user_security (user_id, two_factor_enabled, two_factor_secret, recovery_codes)
       VALUES ($1, true, 'enc:TOTP-SECRET', ARRAY['code-hash-1', 'code-hash-2'])`,
      [id],
    );
    await db.query('UPDATE user_security SET failed_login_attempts = 3 WHERE user_id = $1', [id]);
    await db.query(`UPDATE user_security SET recovery_codes = ARRAY['code-hash-2'] WHERE user_id = $1`, [id]);
    await db.query('DELETE FROM user_security WHERE user_id = $1', [id]);

    const rows = await trail(db.url, `resource_type = 'user_security'`);
    expect(rows.map((r) => [r.event_type, r.resource_id])).toEqual([
      ['user_security.insert', id],
      ['user_security.update', id],
      ['user_security.update', id],
      ['user_security.delete', id],
    ]);
    expect(rows[0]!.changes.after).toMatchObject({
      user_id: id,
      two_factor_enabled: true,
      two_factor_secret: redacted,
      recovery_codes: redacted,
      failed_login_attempts: 0,
    });
    expect(rows[1]!.changes).toEqual({ before: { failed_login_attempts: 0 }, after: { failed_login_attempts: 3 } });
    expect(rows[2]!.changes).toEqual({ before: { recovery_codes: redacted }, after: { recovery_codes: redacted } });
    expect(rows[3]!.changes.before).toMatchObject({ two_factor_secret: redacted, recovery_codes: redacted, failed_login_attempts: 3 });
    expect(await count(`changes::text ~ 'TOTP-SECRET|code-hash'`)).toBe(0);
  });

  it('user_sessions: insert, update and delete, with the refresh token jti redacted', async () => {
    const user = await addUser('carol');
    const [{ id }] = (await db.query<{ id: string }>(
      `INSERT INTO user_sessions (user_id, refresh_token_jti, ip_address, expires_at)
       VALUES ($1, 'jti-first', '198.51.100.4', now() + interval '1 day') RETURNING id`,
      [user],
    )) as [{ id: string }];
    await db.query(`UPDATE user_sessions SET refresh_token_jti = 'jti-rotated', revoked_at = '2030-01-01Z' WHERE id = $1`, [id]);
    await db.query('DELETE FROM user_sessions WHERE id = $1', [id]);

    const rows = await trail(db.url, `resource_type = 'user_sessions'`);
    expect(rows.map((r) => [r.event_type, r.resource_id])).toEqual([
      ['user_sessions.insert', id],
      ['user_sessions.update', id],
      ['user_sessions.delete', id],
    ]);
    expect(rows[0]!.changes.after).toMatchObject({ id, user_id: user, refresh_token_jti: redacted, ip_address: '198.51.100.4' });
    expect(rows[1]!.changes).toEqual({
      before: { refresh_token_jti: redacted, revoked_at: null },
      after: { refresh_token_jti: redacted, revoked_at: '2030-01-01T00:00:00+00:00' },
    });
    expect(rows[2]!.changes.before).toMatchObject({ id, refresh_token_jti: redacted });
    expect(await count(`changes::text LIKE '%jti-%'`)).toBe(0);
  });

  it('an UPDATE that changes nothing writes nothing', async () => {
    const id = await addUser('dave');
    await db.query('INSERT INTO user_security (user_id) VALUES ($1)', [id]);
    await db.query(`INSERT INTO user_sessions (user_id, refresh_token_jti, expires_at) VALUES ($1, 'j', now() + interval '1 day')`, [id]);
    const before = await count();

    // updated_at moves (users_set_updated_at), and nothing else does.
    await db.query('UPDATE users SET status = status, email = email WHERE id = $1', [id]);
    await db.query('UPDATE user_security SET failed_login_attempts = failed_login_attempts, two_factor_secret = two_factor_secret');
    await db.query('UPDATE user_sessions SET revoked_at = revoked_at, refresh_token_jti = refresh_token_jti');
    expect(await count()).toBe(before);
  });
});

describe('actor, IP address and user agent', () => {
  it('come from SET LOCAL in the transaction, and are NULL in a later one without them', async () => {
    const admin = await addUser('admin_user');
    const target = await addUser('target_user');
    await withClient(db.url, async (client) => {
      await client.query('BEGIN');
      await client.query(`SET LOCAL aeturnis.actor_id = '${admin}'`);
      await client.query(`SET LOCAL aeturnis.ip_address = '2001:db8::17'`);
      await client.query(`SET LOCAL aeturnis.user_agent = 'AeturnisAdmin/1.0 (X11)'`);
      await client.query(`UPDATE users SET roles = '{user,moderator}' WHERE id = $1`, [target]);
      await client.query('COMMIT');
      // Same connection, next transaction: the settings ended with the last one ('' now).
      await client.query(`UPDATE users SET status = 'banned' WHERE id = $1`, [target]);
    });

    const [first, second] = await trail(db.url, `event_type = 'users.update'`);
    expect(first).toEqual({
      actor_id: admin,
      event_type: 'users.update',
      resource_type: 'users',
      resource_id: target,
      changes: { before: { roles: ['user'] }, after: { roles: ['user', 'moderator'] } },
      ip_address: '2001:db8::17',
      user_agent: 'AeturnisAdmin/1.0 (X11)',
    });
    expect(second).toMatchObject({ actor_id: null, ip_address: null, user_agent: null, changes: { after: { status: 'banned' } } });
  });

  it('invalid values do not fail the write: the column is NULL and the raw text is kept in changes.rejected_settings', async () => {
    const id = await addUser('erin');
    const cases: [Record<string, string>, Record<string, string | null>, Record<string, string> | undefined][] = [
      [
        { 'aeturnis.actor_id': 'not-a-uuid', 'aeturnis.ip_address': '203.0.113.300', 'aeturnis.user_agent': 'curl/8' },
        { actor_id: null, ip_address: null, user_agent: 'curl/8' },
        { 'aeturnis.actor_id': 'not-a-uuid', 'aeturnis.ip_address': '203.0.113.300' },
      ],
      // A well-formed uuid of no user: storing it would fail audit_log's foreign key.
      [
        { 'aeturnis.actor_id': '00000000-0000-4000-8000-000000000000', 'aeturnis.ip_address': '10.1.2.3, 10.0.0.1' },
        { actor_id: null, ip_address: null, user_agent: null },
        { 'aeturnis.actor_id': '00000000-0000-4000-8000-000000000000', 'aeturnis.ip_address': '10.1.2.3, 10.0.0.1' },
      ],
      // Empty means unset; PostgreSQL's other uuid spellings and a CIDR-style address are fine.
      [
        { 'aeturnis.actor_id': '', 'aeturnis.ip_address': '', 'aeturnis.user_agent': '' },
        { actor_id: null, ip_address: null, user_agent: null },
        undefined,
      ],
      [
        { 'aeturnis.actor_id': `{${id.replaceAll('-', '').toUpperCase()}}`, 'aeturnis.ip_address': '192.0.2.0/24' },
        { actor_id: id, ip_address: '192.0.2.0/24', user_agent: null },
        undefined,
      ],
    ];
    for (const [index, [settings, stored, rejected]] of cases.entries()) {
      const counts = await inTransaction(db.url, settings, [`UPDATE users SET metadata = '{"step": ${index}}' WHERE id = '${id}'`]);
      expect(counts, JSON.stringify(settings)).toEqual([1]);
      const [row] = await trail(db.url, `changes->'after'->'metadata'->>'step' = '${index}'`);
      expect(row, JSON.stringify(settings)).toMatchObject(stored);
      expect(row!.changes.rejected_settings, JSON.stringify(settings)).toEqual(rejected);
    }
    expect(await db.query(`SELECT metadata FROM users WHERE id = $1`, [id])).toEqual([{ metadata: { step: 3 } }]);
  });

  it('deleting a user works when the actor is that user; its delete and the cascaded deletes are recorded', async () => {
    const admin = await addUser('the_admin');
    const self = await addUser('leaving');
    const other = await addUser('removed');
    for (const id of [self, other]) {
      await db.query('INSERT INTO user_security (user_id) VALUES ($1)', [id]);
      await db.query(`INSERT INTO user_sessions (user_id, refresh_token_jti, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
        id,
        `jti-${id}`,
      ]);
    }
    await inTransaction(db.url, { 'aeturnis.actor_id': self }, [`UPDATE users SET last_login = now() WHERE id = '${self}'`]);

    // The account deletes itself: its row is gone when the AFTER triggers run.
    const counts = await inTransaction(db.url, { 'aeturnis.actor_id': self, 'aeturnis.user_agent': 'app' }, [
      `DELETE FROM users WHERE id = '${self}'`,
    ]);
    expect(counts).toEqual([1]);
    const sessionId = (await trail(db.url, `event_type = 'user_sessions.insert' AND changes->'after'->>'user_id' = '${self}'`))[0]!
      .resource_id;
    const gone = await trail(db.url, `event_type LIKE '%.delete' AND (resource_id = '${self}' OR resource_id = '${sessionId}')`);
    expect(gone.map((r) => r.event_type).sort()).toEqual(['user_security.delete', 'user_sessions.delete', 'users.delete']);
    for (const row of gone) {
      expect(row).toMatchObject({ actor_id: null, user_agent: 'app', changes: { rejected_settings: { 'aeturnis.actor_id': self } } });
    }
    // Its earlier entries stay, actor unknown (audit_log.actor_id ON DELETE SET NULL).
    expect(await count(`event_type = 'users.update' AND resource_id = '${self}' AND actor_id IS NULL`)).toBe(1);

    // Deleted by an admin: the admin is the actor of all three deletes.
    await inTransaction(db.url, { 'aeturnis.actor_id': admin }, [`DELETE FROM users WHERE id = '${other}'`]);
    const byAdmin = await trail(db.url, `event_type LIKE '%.delete' AND actor_id = '${admin}'`);
    expect(byAdmin.map((r) => r.event_type).sort()).toEqual(['user_security.delete', 'user_sessions.delete', 'users.delete']);
    expect(byAdmin.every((r) => r.changes.rejected_settings === undefined)).toBe(true);
  });
});

describe('audit_enable / audit_disable', () => {
  it('one call audits another table, from any search_path; bad calls are refused; audit_disable stops it', async () => {
    await db.query(`CREATE SCHEMA game;
      CREATE TABLE game.guilds (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, invite_secret text)`);
    await db.query(`SELECT audit_enable('game.guilds', 'id', ARRAY['invite_secret'])`);

    // The writer's search_path has neither audit_log nor the functions; a temporary table named
    // audit_log (searched first for unqualified names) must not capture the trail either.
    await withClient(db.url, async (client) => {
      await client.query('SET search_path = game');
      await client.query('CREATE TEMP TABLE audit_log (LIKE public.audit_log)');
      await client.query(`INSERT INTO guilds (name, invite_secret) VALUES ('Knights', 'inv-SECRET-1')`);
      await client.query(`UPDATE guilds SET name = 'Knights of Ni', invite_secret = 'inv-SECRET-2'`);
      await client.query('DELETE FROM guilds');
      expect((await client.query('SELECT count(*)::int AS n FROM pg_temp.audit_log')).rows).toEqual([{ n: 0 }]);
    });
    const rows = await trail(db.url, `resource_type = 'guilds'`);
    expect(rows.map((r) => [r.event_type, r.resource_id])).toEqual([
      ['guilds.insert', '1'],
      ['guilds.update', '1'],
      ['guilds.delete', '1'],
    ]);
    expect(rows[0]!.changes).toEqual({ after: { id: 1, name: 'Knights', invite_secret: redacted } });
    expect(rows[1]!.changes).toEqual({
      before: { name: 'Knights', invite_secret: redacted },
      after: { name: 'Knights of Ni', invite_secret: redacted },
    });

    // A misspelt column would copy a secret: refused, the trigger as it was.
    await expect(db.query(`SELECT audit_enable('game.guilds', 'id', ARRAY['invite_secrte'])`)).rejects.toMatchObject({
      code: '42703',
      message: 'audit_enable: table game.guilds has no column invite_secrte',
    });
    await expect(db.query(`SELECT audit_enable('game.guilds', 'guild_id')`)).rejects.toMatchObject({ code: '42703' });
    await expect(db.query(`SELECT audit_enable('audit_log', 'id')`)).rejects.toMatchObject({ code: '22023' });
    await expect(db.query(`SELECT audit_enable('audit_log_default', 'id')`)).rejects.toMatchObject({ code: '22023' });
    await db.query(`INSERT INTO game.guilds (name, invite_secret) VALUES ('Still redacted', 'inv-SECRET-3')`);
    expect(await count(`changes::text LIKE '%inv-SECRET%'`)).toBe(0);

    await db.query(`SELECT audit_disable('game.guilds')`);
    const before = await count();
    await db.query(`INSERT INTO game.guilds (name) VALUES ('Unaudited')`);
    expect(await count()).toBe(before);
    expect(await db.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'game.guilds'::regclass`)).toEqual([]);
  });
});

describe('down and up of 0006', () => {
  it('down removes every trigger and function it made (refusing while a table audited by hand remains); up again records again', async () => {
    await db.query(`CREATE TABLE guilds (id int PRIMARY KEY); SELECT audit_enable('guilds', 'id')`);
    const refused = await cli(['down', '1'], 1);
    expect(refused.stderr).toContain('the audit trail is still enabled on guilds');
    await db.query(`SELECT audit_disable('guilds')`);

    await cli(['down', '1']);
    expect(await db.query(`SELECT tgname FROM pg_trigger WHERE tgname = 'audit_trail'`)).toEqual([]);
    expect(await db.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'audit\\_%'`)).toEqual([]);
    await addUser('unrecorded');
    expect(await count()).toBe(0);

    await cli(['up']);
    await addUser('recorded');
    expect((await trail(db.url)).map((r) => r.event_type)).toEqual(['users.insert']);
  });
});

describe('partition maintenance', () => {
  it('keeps the trail: future rows moved out of audit_log_default are unchanged, --retain drops only the old months', async () => {
    // The first instant of the UTC month `offset` months from now (month arithmetic in UTC).
    const month = (offset: number) => `((date_trunc('month', now() AT TIME ZONE 'UTC') + interval '${offset} months') AT TIME ZONE 'UTC')`;
    for (const offset of [-14, -2]) {
      const [{ name }] = (await db.query<{ name: string }>(
        `SELECT to_char((${month(offset)}) AT TIME ZONE 'UTC', '"audit_log_"YYYY_MM') AS name`,
      )) as [{ name: string }];
      await db.query(`CREATE TABLE ${name} PARTITION OF audit_log FOR VALUES FROM (${month(offset)}) TO (${month(offset + 1)})`);
    }
    // Entries the trigger wrote, dated into other months: +5 and +6 (no partition yet: the
    // default partition), -14 and -2 (old partitions), and one left in the current month.
    const placed: Record<string, number | null> = { plus5a: 5, plus5b: 5, plus6: 6, minus14: -14, minus2: -2, now: null };
    const ids: Record<string, string> = {};
    for (const [name, offset] of Object.entries(placed)) {
      ids[name] = await addUser(name);
      if (offset !== null)
        await db.query(`UPDATE audit_log SET created_at = ${month(offset)} + interval '3 days 7 hours' WHERE resource_id = $1`, [
          ids[name],
        ]);
    }
    const before = await trailHashes(db.url);
    expect(before.size).toBe(6);
    const inDefault = [...before.values()].filter((r) => r.partition === 'audit_log_default');
    expect(inDefault).toHaveLength(3);

    await cli(['partitions', '--ahead', '6']);
    const moved = await trailHashes(db.url);
    expect([...moved.values()].filter((r) => r.partition === 'audit_log_default')).toEqual([]);
    expect(new Map([...moved].map(([id, r]) => [id, r.hash]))).toEqual(new Map([...before].map(([id, r]) => [id, r.hash])));

    await cli(['partitions', '--retain', '6']);
    const kept = await trailHashes(db.url);
    const resources = await db.query<{ resource_id: string }>('SELECT resource_id FROM audit_log');
    expect(resources.map((r) => r.resource_id).sort()).toEqual(
      Object.entries(ids)
        .filter(([name]) => name !== 'minus14')
        .map(([, id]) => id)
        .sort(),
    );
    for (const [id, row] of kept) expect(row.hash).toBe(before.get(id)?.hash);

    // The trail goes on writing into the month partitions.
    await addUser('afterwards');
    const [{ part }] = (await db.query<{ part: string }>(
      `SELECT tableoid::regclass::text AS part FROM audit_log WHERE changes->'after'->>'username' = 'afterwards'`,
    )) as [{ part: string }];
    expect(part).toMatch(/^audit_log_\d{4}_\d{2}$/);
  });
});
