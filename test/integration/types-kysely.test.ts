import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { typecheckStrict } from '../support/typecheck.js';

let db: TestDatabase;
let dir: string;

beforeEach(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'aeturnis-types-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir'); // kysely, pg and @types/node for tsc
});
afterEach(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Code a user of the shipped schema writes against the generated file. */
const QUERIES = `import { Kysely, PostgresDialect, type Insertable, type Selectable } from 'kysely';
import pg from 'pg';
import type { Database } from './db.js';

const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });

export async function lastLogins(): Promise<{ email: string; last_login: Date | null }[]> {
  return db.selectFrom('users').select(['email', 'last_login']).where('status', '=', 'active').execute();
}

export async function activeSessions(userId: string): Promise<number> {
  const rows = await db.selectFrom('user_sessions').innerJoin('users', 'users.id', 'user_sessions.user_id')
    .select(['user_sessions.id', 'users.username']).where('user_sessions.user_id', '=', userId).where('revoked_at', 'is', null).execute();
  return rows.length;
}

// id, roles, metadata, created_at ... have defaults: optional on insert.
export const newUser: Insertable<Database['users']> = { email: 'a@example.com', username: 'abc', password_hash: 'x' };
export const audit: Selectable<Database['audit_log']>['changes'] = { before: null, after: { roles: ['admin'] } };

// @ts-expect-error email is required on insert
export const withoutEmail: Insertable<Database['users']> = { username: 'abc', password_hash: 'x' };

export async function wrongColumn(): Promise<unknown> {
  // @ts-expect-error users has no column named nickname
  return db.selectFrom('users').select('nickname').execute();
}

export async function partitionIsNoTable(): Promise<unknown> {
  // @ts-expect-error partitions are not tables of their own: only audit_log is
  return db.selectFrom('audit_log_default').selectAll().execute();
}
`;

describe('types for the shipped Aeturnis schema', () => {
  it('are the file docs/schema.md shows; compile with tsc --strict and type-check Kysely queries (and reject wrong ones)', async () => {
    const out = join(dir, 'db.ts');
    const result = await runCli(['types', '--from-migrations', '--dir', `${repoRoot}/migrations`, '--out', out], {
      cwd: dir,
      databaseUrl: db.url,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const generated = readFileSync(out, 'utf8');
    expect(generated).toContain(
      'export interface Database {\n  audit_log: AuditLog;\n  user_security: UserSecurity;\n  user_sessions: UserSessions;\n  users: Users;\n}\n',
    );
    expect(readFileSync(join(repoRoot, 'docs/schema.md'), 'utf8')).toContain(`\`\`\`ts\n${generated}\`\`\``); // the docs show the real file
    writeFileSync(join(dir, 'queries.ts'), QUERIES);
    const tsc = typecheckStrict(dir, ['db.ts', 'queries.ts']);
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });
});
