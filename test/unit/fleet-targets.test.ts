import { describe, expect, it } from 'vitest';
import { usageErrorOf } from '../support/usage-error.js';
import { maskUrl } from '../../src/redact.js';
import { expandVariables, parseTargetsFile, targetsFromRows } from '../../src/fleet/targets.js';

const parse = (text: string, env: Record<string, string> = {}) => parseTargetsFile(text, 'targets.txt', env);

describe('parseTargetsFile', () => {
  it('reads name=URL and bare URLs, skipping blank lines and # comments', () => {
    const targets = parse(
      [
        '# tenants',
        '',
        'eu-1=postgres://app@db1/app_eu',
        '  postgres://app@db2:5433/app_us   # the US shard',
        'ap = postgresql://db3/app',
      ].join('\n'),
    );
    expect(targets).toEqual([
      { name: 'eu-1', url: 'postgres://app@db1/app_eu', source: 'targets.txt:3' },
      { name: 'db2:5433/app_us', url: 'postgres://app@db2:5433/app_us', source: 'targets.txt:4' },
      { name: 'ap', url: 'postgresql://db3/app', source: 'targets.txt:5' },
    ]);
  });

  it('names a bare URL host/database, without the default port', () => {
    expect(parse('postgres://app:pw@db1:5432/tenant_7?sslmode=disable')[0]?.name).toBe('db1/tenant_7');
  });

  it('expands ${VAR} from the environment, so the password is not in the file', () => {
    const [target] = parse('eu-1=postgres://app:${EU_PASSWORD}@db1/app', { EU_PASSWORD: 's3cret' });
    expect(target?.url).toBe('postgres://app:s3cret@db1/app');
  });

  it('a whole URL may come from one variable', () => {
    expect(parse('${TENANT_URL}', { TENANT_URL: 'postgres://db9/t' })[0]).toMatchObject({ name: 'db9/t', url: 'postgres://db9/t' });
  });

  it('an unset variable is an error naming the line and the variable', () => {
    expect(usageErrorOf(() => parse('a=postgres://db1/a\nb=postgres://app:${B_PASSWORD}@db2/b'))).toBe(
      'targets.txt:2: ${B_PASSWORD} is not set in the environment',
    );
  });

  it('a line that is neither name=URL nor a URL is an error naming the line, password hidden', () => {
    expect(usageErrorOf(() => parse('a=postgres://db1/a\n\njust some words'))).toBe(
      'targets.txt:3: expected name=URL or a postgres:// URL (got just some words)',
    );
    const message = usageErrorOf(() => parse('eu=mysql://app:hunter2@db/app'));
    expect(message).toMatch(/^targets\.txt:1: the URL must start with postgres:\/\//);
    expect(message).not.toContain('hunter2');
  });

  it('a password in the query string is hidden too', () => {
    const message = usageErrorOf(() => parse('eu=postgres://app:pw1@db/app?password=pw2&sslmode=bogus'));
    expect(message).not.toMatch(/pw1|pw2/);
    expect(maskUrl('postgres://app:pw1@db/app?password=pw2')).toBe('postgres://app:*****@db/app?password=*****');
  });

  it('a target URL with a query parameter the connection would refuse is an error naming the line, before any target runs', () => {
    expect(usageErrorOf(() => parse('a=postgres://db1/a\nb=postgres://db2/b?foo=1'))).toMatch(
      /^targets\.txt:2: the URL: unknown query parameter "foo" \(aeturnis-db reads: /,
    );
    expect(usageErrorOf(() => parse('eu=postgres://db1/a?target_session_attrs=read-write'))).toMatch(
      /^targets\.txt:1: the URL: query parameter target_session_attrs is a libpq setting aeturnis-db does not support/,
    );
  });

  it('an invalid sslmode in a target URL is an error naming the line', () => {
    expect(usageErrorOf(() => parse('eu=postgres://db/app?sslmode=sometimes'))).toMatch(
      /^targets\.txt:1: invalid sslmode in the URL: "sometimes"/,
    );
  });

  it('two lines with one name are an error naming the later line', () => {
    expect(usageErrorOf(() => parse('eu=postgres://db1/a\neu=postgres://db2/b'))).toBe(
      'targets.txt:2: duplicate target name eu (also targets.txt:1)',
    );
  });

  it('two lines reaching one database are an error, whatever the user, password, scheme or TLS settings', () => {
    const message = usageErrorOf(() => parse('a=postgres://app:pw1@DB1/shop\nb=postgresql://other:pw2@db1:5432/shop?sslmode=require'));
    expect(message).toBe('targets.txt:2: duplicate target: b is the same database as a (targets.txt:1): db1:5432/shop');
    expect(message).not.toMatch(/pw1|pw2/);
  });

  it('one database with different options (a search_path per tenant schema) is not a duplicate', () => {
    const text = 'a=postgres://db1/shop?options=-csearch_path%3Dtenant_a\nb=postgres://db1/shop?options=-csearch_path%3Dtenant_b';
    expect(parse(text).map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('a name with spaces is refused', () => {
    expect(usageErrorOf(() => parse('eu west=postgres://db1/a'))).toMatch(
      /^targets\.txt:1: a target's name must not be empty or hold spaces/,
    );
  });

  it('reads CRLF files and a BOM', () => {
    expect(parse('\uFEFFa=postgres://db1/a\r\nb=postgres://db2/b\r\n').map((t) => t.name)).toEqual(['a', 'b']);
  });
});

describe('expandVariables', () => {
  it('keeps a $ that does not start ${', () => {
    expect(expandVariables('postgres://app:pa$$word@db/app', {}, 'x')).toBe('postgres://app:pa$$word@db/app');
  });
  it('refuses an unclosed ${', () => {
    expect(usageErrorOf(() => expandVariables('postgres://app:${PW@db/app', {}, 'targets.txt:4'))).toBe(
      'targets.txt:4: ${ without a closing } (write ${NAME})',
    );
  });
});

describe('targetsFromRows', () => {
  it('reads name and url columns', () => {
    const rows = [
      { id: 1, name: 'acme', url: 'postgres://db1/acme' },
      { id: 2, name: 'globex', url: 'postgres://db1/globex' },
    ];
    expect(targetsFromRows(rows, ['id', 'name', 'url'], {})).toEqual([
      { name: 'acme', url: 'postgres://db1/acme', source: '--targets-query row 1' },
      { name: 'globex', url: 'postgres://db1/globex', source: '--targets-query row 2' },
    ]);
  });
  it('takes one column as the URL and two as name, URL', () => {
    expect(targetsFromRows([{ dsn: 'postgres://db1/a' }], ['dsn'], {})[0]?.name).toBe('db1/a');
    expect(targetsFromRows([{ tenant: 7, dsn: 'postgres://db1/a' }], ['tenant', 'dsn'], {})[0]?.name).toBe('7');
  });
  it('a null URL is an error naming the row', () => {
    expect(
      usageErrorOf(() =>
        targetsFromRows(
          [
            { name: 'a', url: 'postgres://db/a' },
            { name: 'b', url: null },
          ],
          ['name', 'url'],
          {},
        ),
      ),
    ).toBe('--targets-query row 2: url is null');
  });
  it('three columns without a url column are refused', () => {
    expect(usageErrorOf(() => targetsFromRows([], ['a', 'b', 'c'], {}))).toMatch(/^--targets-query must return a url column/);
  });
  it('duplicates are refused as in a file', () => {
    expect(usageErrorOf(() => targetsFromRows([{ url: 'postgres://db/a' }, { url: 'postgres://db/a' }], ['url'], {}))).toMatch(
      /^--targets-query row 2: duplicate target name/,
    );
  });
});
