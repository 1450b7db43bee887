import { describe, expect, it } from 'vitest';
import { alterDatabaseSql, settingName, splitNameList } from '../../src/verify/database-settings.js';

describe("verify: copying the target's database settings", () => {
  it('quotes a list setting element by element, as PostgreSQL stored it', () => {
    expect(alterDatabaseSql('aeturnis_verify_1', 'search_path=upchieve, public')).toBe(
      `ALTER DATABASE "aeturnis_verify_1" SET "search_path" TO 'upchieve', 'public'`,
    );
    expect(alterDatabaseSql('s', 'search_path="$user", "My ""odd"" schema", app')).toBe(
      `ALTER DATABASE "s" SET "search_path" TO '$user', 'My "odd" schema', 'app'`,
    );
    expect(alterDatabaseSql('s', 'search_path=""')).toBe(`ALTER DATABASE "s" SET "search_path" TO ''`);
  });

  it('gives any other setting its value as one literal, custom ones included', () => {
    expect(alterDatabaseSql('s', 'statement_timeout=5s')).toBe(`ALTER DATABASE "s" SET "statement_timeout" TO '5s'`);
    expect(alterDatabaseSql('s', "app.tenant=it's=here")).toBe(`ALTER DATABASE "s" SET "app.tenant" TO 'it''s=here'`);
    expect(settingName('app.tenant=x')).toBe('app.tenant');
  });

  it('splits a stored name list', () => {
    expect(splitNameList('a,b ,  "c, d"')).toEqual(['a', 'b', 'c, d']);
  });
});
