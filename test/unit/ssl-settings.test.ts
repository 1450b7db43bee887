import { describe, expect, it } from 'vitest';
import { resolveConnection, sslSettings, tlsAttempts, withoutSslParameters } from '../../src/connection/settings.js';
import { UsageError } from '../../src/errors.js';

describe('sslSettings', () => {
  it('reads the URL first, then PGSSLMODE / PGSSLROOTCERT / PGSSLCERT / PGSSLKEY', () => {
    const env = { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: '/env/ca.pem', PGSSLCERT: '/env/client.pem' };
    expect(sslSettings('postgres://db/app?sslmode=require&sslrootcert=/url/ca.pem', env, 'DATABASE_URL')).toEqual({
      mode: 'require',
      rootCert: { path: '/url/ca.pem', setting: 'sslrootcert in DATABASE_URL' },
      cert: { path: '/env/client.pem', setting: 'PGSSLCERT' },
    });
    expect(sslSettings(undefined, env).mode).toBe('verify-ca');
  });

  it('without a mode: disable, or verify-full once a certificate file is named; ssl=true|false|no-verify as node-postgres', () => {
    expect(sslSettings('postgres://db/app', {}).mode).toBe('disable');
    expect(sslSettings('postgres://db/app?sslrootcert=/ca.pem', {}).mode).toBe('verify-full');
    expect(sslSettings('postgres://db/app?ssl=true', {}).mode).toBe('verify-full');
    expect(sslSettings('postgres://db/app?ssl=0', {}).mode).toBe('disable');
    expect(sslSettings('postgres://db/app?ssl=no-verify', {}).mode).toBe('no-verify');
  });

  it('sslrootcert=system means the trusted roots of Node, not a file', () => {
    expect(sslSettings('postgres://db/app?sslmode=verify-full&sslrootcert=system', {})).toEqual({ mode: 'verify-full' });
  });

  it('an unknown mode is a usage error naming the setting and the valid values', () => {
    expect(() => sslSettings('postgres://db/app?sslmode=requir', {}, '--database-url')).toThrow(
      new UsageError(
        'invalid sslmode in --database-url: "requir" (valid: disable, allow, prefer, require, verify-ca, verify-full, no-verify)',
      ),
    );
    expect(() => resolveConnection(undefined, { PGHOST: 'db', PGSSLMODE: 'on' })).toThrow(/^invalid PGSSLMODE: "on"/);
  });

  it('sslnegotiation=direct is kept for pg, and refused with a mode that may not encrypt', () => {
    expect(sslSettings('postgres://db/app?sslmode=require&sslnegotiation=direct', {})).toEqual({ mode: 'require', negotiation: 'direct' });
    expect(() => sslSettings('postgres://db/app?sslmode=prefer', { PGSSLNEGOTIATION: 'direct' })).toThrow(
      'PGSSLNEGOTIATION is "direct", which needs sslmode require, verify-ca or verify-full (got prefer)',
    );
  });
});

describe('tlsAttempts (libpq semantics)', () => {
  it.each([
    ['disable', { first: 'plain' }],
    ['allow', { first: 'plain', fallback: 'encrypt-only' }],
    ['prefer', { first: 'encrypt-only', fallback: 'plain' }],
    ['require', { first: 'encrypt-only' }],
    ['verify-ca', { first: 'verify-ca' }],
    ['verify-full', { first: 'verify-full' }],
    ['no-verify', { first: 'encrypt-only' }],
  ] as const)('%s', (mode, attempts) => {
    expect(tlsAttempts({ mode })).toEqual(attempts);
  });

  it('require with a root certificate verifies the CA, as libpq does', () => {
    expect(tlsAttempts({ mode: 'require', rootCert: { path: '/ca.pem', setting: 'PGSSLROOTCERT' } })).toEqual({ first: 'verify-ca' });
  });
});

describe('withoutSslParameters', () => {
  it('drops the TLS parameters and keeps everything else byte for byte', () => {
    expect(withoutSslParameters('postgres://u:p%40ss@db:5432/app?sslmode=require&application_name=x&sslrootcert=%2Fca.pem&ssl=true')).toBe(
      'postgres://u:p%40ss@db:5432/app?application_name=x',
    );
    expect(withoutSslParameters('postgres://db/app?sslmode=require')).toBe('postgres://db/app');
    expect(withoutSslParameters('postgres://db/app')).toBe('postgres://db/app');
  });
});
