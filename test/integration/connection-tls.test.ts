import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliOptions } from '../support/cli.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../support/db.js';
import { tempProject, type TempProject } from '../support/project.js';
import { startTlsServer, type TlsServer } from '../support/tls-server.js';

// TLS settings (sslmode, sslrootcert, sslcert, sslkey; PGSSL*) follow libpq. The suite's server
// has TLS off; two private servers have it on, one of them accepting TLS connections only.

const VALID_MODES = 'disable, allow, prefer, require, verify-ca, verify-full, no-verify';
/** Records whether the migration's own connection was encrypted. */
const TLS_PROBE =
  '-- UP\nCREATE TABLE tls_seen AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n-- DOWN\nDROP TABLE tls_seen;\n';

let project: TempProject;
beforeEach(() => {
  project = tempProject({ '0001_tls_probe.sql': TLS_PROBE });
});
afterEach(() => project.remove());

const cli = (args: string[], options: CliOptions = {}) => runCli(args, { cwd: project.dir, ...options });

/** Every stderr line parsed as JSON (fails on a line that is not). */
function jsonLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}\n--- whole stderr ---\n${stderr}`);
      }
    });
}

describe('TLS settings against a server with TLS off', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => db.drop());

  it('sslmode=require: exit 4, one JSON line saying the server does not support SSL', async () => {
    const result = await cli(['up', '--log-format', 'json', '--wait', '0'], { databaseUrl: `${db.url}?sslmode=require` });
    expect(result.code).toBe(4);
    const lines = jsonLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', code: 4 });
    expect(String(lines[0]?.msg)).toMatch(/does not support SSL.*sslmode=prefer/);
  });

  it('sslmode=prefer falls back to an unencrypted connection, as libpq does', async () => {
    const result = await cli(['up'], { databaseUrl: `${db.url}?sslmode=prefer` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await db.query('SELECT ssl FROM tls_seen')).toEqual([{ ssl: false }]);
  });

  it('an unknown sslmode is exit 2 naming the setting and the valid values, in the URL or in PGSSLMODE', async () => {
    const inUrl = await cli(['up'], { databaseUrl: `${db.url}?sslmode=bogus` });
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr.trim()).toBe(`error: invalid sslmode in DATABASE_URL: "bogus" (valid: ${VALID_MODES})`);

    const server = new URL(serverUrl(db.name));
    const inEnv = await cli(['up'], {
      env: { PGHOST: server.hostname, PGPORT: server.port, PGUSER: 'postgres', PGDATABASE: db.name, PGSSLMODE: 'bogus' },
    });
    expect(inEnv.code).toBe(2);
    expect(inEnv.stderr.trim()).toBe(`error: invalid PGSSLMODE: "bogus" (valid: ${VALID_MODES})`);
    expect(await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'tls_seen'")).toEqual([]);
  });

  it.each(['sslrootcert', 'sslcert', 'sslkey'])(
    'a %s file that does not exist is exit 2 naming the setting and the file',
    async (setting) => {
      const missing = `${project.dir}/no-such-${setting}.pem`;
      const result = await cli(['up', '--wait', '0'], { databaseUrl: `${db.url}?sslmode=require&${setting}=${missing}` });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`error: ${setting} in the connection URL: cannot read ${missing} (no such file)`);
    },
  );
});

describe('TLS settings against servers with TLS on', () => {
  let server: TlsServer;
  let tlsOnly: TlsServer;
  beforeAll(async () => {
    [server, tlsOnly] = await Promise.all([startTlsServer({ tlsOnly: false }), startTlsServer({ tlsOnly: true })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), tlsOnly?.stop()]);
  });

  /** A new database on `on`, and a reader of what the probe migration recorded there. */
  async function freshDatabase(on: TlsServer): Promise<{ name: string; tlsSeen(): Promise<unknown> }> {
    const name = `tls_${randomBytes(4).toString('hex')}`;
    const query = async (database: string, sql: string) => {
      const client = new pg.Client({ connectionString: on.url({ database }), ssl: { rejectUnauthorized: false } });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    await query('postgres', `CREATE DATABASE ${name}`);
    return { name, tlsSeen: () => query(name, 'SELECT ssl FROM tls_seen') };
  }

  it('sslmode=require encrypts without verifying the certificate (libpq), quietly', async () => {
    const database = await freshDatabase(server);
    const result = await cli(['up'], { databaseUrl: server.url({ database: database.name, query: 'sslmode=require' }) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await database.tlsSeen()).toEqual([{ ssl: true }]);
  });

  it('sslmode=verify-full: exit 4 with a hint for a certificate no sslrootcert vouches for; with the CA, the certified name only', async () => {
    const unvouched = await cli(['up', '--wait', '0'], { databaseUrl: server.url({ host: 'localhost', query: 'sslmode=verify-full' }) });
    expect(unvouched.code).toBe(4);
    expect(unvouched.stderr.trim().split('\n')).toHaveLength(1);
    expect(unvouched.stderr).toMatch(/self[- ]signed certificate.*name its CA with sslrootcert/);

    const database = await freshDatabase(server);
    const query = `sslmode=verify-full&sslrootcert=${server.caFile}`;
    const byName = await cli(['up'], { databaseUrl: server.url({ host: 'localhost', database: database.name, query }) });
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(0);
    expect(await database.tlsSeen()).toEqual([{ ssl: true }]);

    const byAddress = await cli(['status', '--wait', '0'], {
      databaseUrl: server.url({ host: '127.0.0.1', database: database.name, query }),
    });
    expect(byAddress.code).toBe(4);
    expect(byAddress.stderr.trim().split('\n')).toHaveLength(1);
    expect(byAddress.stderr).toMatch(/127\.0\.0\.1 is not in the cert's list — connect by a host name the certificate lists/);
  });

  it('sslmode=verify-ca checks the CA but not the host name; PGSSLMODE and PGSSLROOTCERT work too', async () => {
    const database = await freshDatabase(server);
    const env = {
      PGHOST: '127.0.0.1',
      PGPORT: String(server.port),
      PGUSER: 'postgres',
      PGDATABASE: database.name,
      PGSSLMODE: 'verify-ca',
      PGSSLROOTCERT: server.caFile,
    };
    const result = await cli(['up'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await database.tlsSeen()).toEqual([{ ssl: true }]);
  });

  it('sslmode=allow connects with TLS to a server that refuses unencrypted connections; disable is refused there', async () => {
    const database = await freshDatabase(tlsOnly);
    const allowed = await cli(['up'], { databaseUrl: tlsOnly.url({ database: database.name, query: 'sslmode=allow' }) });
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(await database.tlsSeen()).toEqual([{ ssl: true }]);

    const disabled = await cli(['status', '--wait', '0'], {
      databaseUrl: tlsOnly.url({ database: database.name, query: 'sslmode=disable' }),
    });
    expect(disabled.code).toBe(4);
    expect(disabled.stderr).toMatch(/no pg_hba\.conf entry.*no encryption.*use sslmode=require/);
  });

  it('with --log-format json, a warning of Node itself (NODE_TLS_REJECT_UNAUTHORIZED=0) is one JSON line too', async () => {
    const database = await freshDatabase(server);
    const result = await cli(['up', '--log-format', 'json'], {
      databaseUrl: server.url({ database: database.name, query: 'sslmode=require' }),
      env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' },
    });
    expect(result.code).toBe(0);
    const warnings = jsonLines(result.stderr).filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toContain('NODE_TLS_REJECT_UNAUTHORIZED');
  });
});
