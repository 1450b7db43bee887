import { describe, expect, it } from 'vitest';
import { maskPassword, maskPasswordsIn } from '../../src/redact.js';

describe('maskPassword: connection URLs and keyword/value strings', () => {
  it("hides a URL's password, also one holding an unencoded @", () => {
    expect(maskPassword('postgres://app:s3cret@db:5432/game')).toBe('postgres://app:*****@db:5432/game');
    expect(maskPassword('postgres://app:p@ss@db/game and more')).toBe('postgres://app:*****@db/game and more');
    expect(maskPassword(`postgres://app:it's"x@db/game`)).toBe('postgres://app:*****@db/game');
  });
  it('hides password= parameters, their name percent-encoded or not, and sslpassword', () => {
    expect(maskPassword('postgres://db/game?user=app&password=s3cret&sslmode=require')).toBe(
      'postgres://db/game?user=app&password=*****&sslmode=require',
    );
    for (const name of ['%70assword', 'p%61ssword', '%50%41SSWORD', 'passwor%64', 'PassWord', 'sslpassword'])
      expect(maskPassword(`postgres://db/game?${name}=s3cret`)).toBe(`postgres://db/game?${name}=*****`);
  });
  it('hides a keyword/value password, quoted or spaced around =', () => {
    expect(maskPassword('host=db password=s3cret dbname=game')).toBe('host=db password=***** dbname=game');
    expect(maskPassword("host=db password = 'two \\' words' dbname=game")).toBe('host=db password = ***** dbname=game');
  });
});

describe('maskPassword: SQL PASSWORD string constants', () => {
  it('a plain literal, one with doubled quotes, ENCRYPTED PASSWORD, several in one text', () => {
    expect(maskPassword("ALTER ROLE app WITH PASSWORD 'hunter2' VALID UNTIL 'infinity'")).toBe(
      "ALTER ROLE app WITH PASSWORD '***' VALID UNTIL 'infinity'",
    );
    expect(maskPassword("CREATE ROLE a ENCRYPTED PASSWORD 'it''s hunter2' LOGIN")).toBe("CREATE ROLE a ENCRYPTED PASSWORD '***' LOGIN");
    expect(maskPassword("ALTER ROLE a PASSWORD 'one';\nALTER ROLE b password 'two'")).toBe(
      "ALTER ROLE a PASSWORD '***';\nALTER ROLE b password '***'",
    );
  });
  it('a literal nested in another literal (quotes doubled) keeps its quoting, the password hidden', () => {
    expect(maskPassword("SELECT 'ALTER ROLE x PASSWORD ''hunter2'''")).toBe("SELECT 'ALTER ROLE x PASSWORD ''***'''");
    expect(maskPassword("DO $$ BEGIN EXECUTE 'ALTER ROLE x PASSWORD ''hun''''ter2'''; END $$")).toBe(
      "DO $$ BEGIN EXECUTE 'ALTER ROLE x PASSWORD ''***'''; END $$",
    );
  });
  it("E'' strings with backslash escapes and dollar-quoted strings", () => {
    expect(maskPassword("CREATE ROLE x PASSWORD E'hun\\'ter2' LOGIN")).toBe("CREATE ROLE x PASSWORD '***' LOGIN");
    expect(maskPassword("CREATE ROLE x PASSWORD $$hun'ter2$$ LOGIN")).toBe("CREATE ROLE x PASSWORD '***' LOGIN");
    expect(maskPassword('CREATE ROLE x PASSWORD $pw$hunter2$pw$ LOGIN')).toBe("CREATE ROLE x PASSWORD '***' LOGIN");
  });
  it('a query cut before its literal ends is hidden to the end; PASSWORD NULL and other text are kept', () => {
    expect(maskPassword("ALTER ROLE x PASSWORD 'hunter2 and the rest")).toBe("ALTER ROLE x PASSWORD '***'");
    expect(maskPassword('ALTER ROLE x PASSWORD NULL')).toBe('ALTER ROLE x PASSWORD NULL');
    expect(maskPassword('password authentication failed for user "app"')).toBe('password authentication failed for user "app"');
  });
  it('the masked text masks to itself', () => {
    for (const text of ["SELECT 'ALTER ROLE x PASSWORD ''hunter2'''", "ALTER ROLE x PASSWORD 'y'", 'postgres://a:b@c/d?password=e'])
      expect(maskPassword(maskPassword(text))).toBe(maskPassword(text));
  });
});

describe('maskPasswordsIn', () => {
  it('masks every string of a structure and keeps it valid (the JSON log fields)', () => {
    expect(
      maskPasswordsIn({ url: 'postgres://db/x?password=pw', blockers: [{ pid: 1, query: "ALTER ROLE a PASSWORD 'pw" }], n: 2, ok: null }),
    ).toEqual({ url: 'postgres://db/x?password=*****', blockers: [{ pid: 1, query: "ALTER ROLE a PASSWORD '***'" }], n: 2, ok: null });
  });
});
