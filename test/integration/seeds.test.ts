/**
 * The dev seeds in seeds/: they run (twice) after the migrations without error and without
 * duplicates, and give a verified admin and a test user with Argon2id password hashes.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, repoRoot, runCli } from '../support/cli.js';
import { type TestDatabase, createTestDatabase } from '../support/db.js';

const migrationsDir = join(repoRoot, 'migrations');
const seedsDir = join(repoRoot, 'seeds');

const ADMIN_ID = 'ae000000-0000-4000-8000-000000000001';
const PLAYER_ID = 'ae000000-0000-4000-8000-000000000002';

async function cli(db: TestDatabase, args: string[]): Promise<CliResult> {
  const result = await runCli([...args, '--dir', migrationsDir], { databaseUrl: db.url, cwd: repoRoot });
  expect(result.code, `aeturnis-db ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return result;
}

const seed = (db: TestDatabase) => cli(db, ['seed', '--seeds-dir', seedsDir]);

/** Every row the seeds touch, in a stable order, for before/after comparisons. */
async function seededData(db: TestDatabase) {
  return {
    users: await db.query('SELECT * FROM users ORDER BY id'),
    userSecurity: await db.query('SELECT * FROM user_security ORDER BY user_id'),
    auditLog: await db.query('SELECT * FROM audit_log ORDER BY id, created_at'),
    userSessions: await db.query('SELECT * FROM user_sessions ORDER BY id'),
  };
}

describe('dev seeds', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
    await cli(db, ['up']);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('run twice without error and without duplicates; the second run changes nothing', async () => {
    await seed(db);
    const first = await seededData(db);
    expect(first.users.length).toBeGreaterThanOrEqual(2);
    expect(first.auditLog.length).toBeGreaterThanOrEqual(3);

    await seed(db);
    const second = await seededData(db);
    expect(second).toEqual(first);

    const duplicates = await db.query(
      `SELECT 'audit_log' AS t, id::text FROM audit_log GROUP BY id HAVING count(*) > 1
       UNION ALL SELECT 'users', lower(email::text) FROM users GROUP BY lower(email::text) HAVING count(*) > 1`,
    );
    expect(duplicates).toEqual([]);
  });

  it('give a verified admin with roles {admin,user} and a test user, each with a user_security row', async () => {
    await seed(db);
    const users = await db.query<{
      id: string;
      email: string;
      username: string;
      roles: string[];
      status: string;
      email_verified: boolean;
      has_security: boolean;
    }>(
      `SELECT u.id, u.email, u.username, u.roles, u.status, u.email_verified,
              EXISTS (SELECT 1 FROM user_security s WHERE s.user_id = u.id) AS has_security
         FROM users u WHERE u.id IN ($1, $2) ORDER BY u.id`,
      [ADMIN_ID, PLAYER_ID],
    );
    expect(users).toHaveLength(2);
    const [admin, player] = users as [(typeof users)[number], (typeof users)[number]];

    expect([...admin.roles].sort()).toEqual(['admin', 'user']);
    expect(admin).toMatchObject({
      email: 'admin@aeturnis.test',
      username: 'admin',
      status: 'active',
      email_verified: true,
      has_security: true,
    });
    expect(player.roles).toEqual(['user']);
    expect(player).toMatchObject({ email: 'player@aeturnis.test', username: 'testplayer', status: 'active', has_security: true });

    // Lookups the login form makes, in any case.
    expect(await db.query('SELECT id FROM users WHERE email = $1', ['Admin@Aeturnis.TEST'])).toEqual([{ id: ADMIN_ID }]);
  });

  it('store passwords only as Argon2id hashes', async () => {
    await seed(db);
    const hashes = await db.query<{ password_hash: string }>('SELECT password_hash FROM users');
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    for (const { password_hash } of hashes) {
      expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,(t=\d+,p=\d+|p=\d+,t=\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    }
  });

  it('write audit entries about the seeded users, recent and referencing existing actors', async () => {
    await seed(db);
    const entries = await db.query<{ event_type: string; actor_ok: boolean; recent: boolean; resource_id: string }>(
      `SELECT a.event_type, a.resource_id,
              (a.actor_id IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = a.actor_id)) AS actor_ok,
              a.created_at BETWEEN now() - interval '1 day' AND now() AS recent
         FROM audit_log a`,
    );
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(entry).toMatchObject({ actor_ok: true, recent: true });
    expect(new Set(entries.map((e) => e.resource_id))).toEqual(new Set([ADMIN_ID, PLAYER_ID]));
  });

  it('put the dev accounts back to their documented state when run again', async () => {
    await seed(db);
    await db.query(
      `UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=3,p=4$b3RoZXI$b3RoZXI', roles = '{user}', status = 'banned' WHERE id = $1`,
      [ADMIN_ID],
    );
    await db.query(`UPDATE user_security SET failed_login_attempts = 7, locked_until = now() + interval '1 hour' WHERE user_id = $1`, [
      ADMIN_ID,
    ]);

    await seed(db);
    const [admin] = await db.query<{
      password_hash: string;
      roles: string[];
      status: string;
      failed_login_attempts: number;
      locked_until: Date | null;
    }>(
      `SELECT u.password_hash, u.roles, u.status, s.failed_login_attempts, s.locked_until
         FROM users u JOIN user_security s ON s.user_id = u.id WHERE u.id = $1`,
      [ADMIN_ID],
    );
    expect(admin?.password_hash).not.toContain('b3RoZXI');
    expect(admin?.password_hash.startsWith('$argon2id$')).toBe(true);
    expect([...(admin?.roles ?? [])].sort()).toEqual(['admin', 'user']);
    expect(admin).toMatchObject({ status: 'active', failed_login_attempts: 0, locked_until: null });
  });
});
