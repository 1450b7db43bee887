/**
 * reset on the embedded database (no connection configured): the same drop, re-creation and
 * re-apply as on a server, across processes. The database is only reachable while a command
 * runs, so the test's checks are a migration that fails unless they hold.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempProject, type TempProject } from '../support/project.js';

const TIMEOUT = 150_000;
let project: TempProject | undefined;
afterEach(() => project?.remove());

const migration = (up: string) => `-- UP\n${up}\n-- DOWN\nSELECT 1;\n`;
/** A migration that fails (so `up` exits 1) unless `condition` holds. */
const check = (condition: string) =>
  migration(
    `DO $$ BEGIN IF NOT (${condition}) THEN RAISE EXCEPTION 'check failed: %', '${condition.replace(/'/g, "''")}'; END IF; END $$;`,
  );

describe('reset on the embedded database', () => {
  it(
    'drops the data and the journal, keeps an untouched schema, restores public and applies the migrations again',
    async () => {
      project = tempProject({
        '0001_items.sql': migration('CREATE EXTENSION citext;\nCREATE TABLE items (id int PRIMARY KEY, name citext);'),
      });
      const dir = project.dir;
      const cli = (args: string[]) => runCli(args, { cwd: dir, timeoutMs: 120_000 });
      mkdirSync(join(dir, 'seeds'));
      writeFileSync(
        join(dir, 'seeds', '0001_data.sql'),
        `INSERT INTO items VALUES (1, 'Sword');
       CREATE SCHEMA keep;
       CREATE TABLE keep.public_before AS
         SELECT pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl, obj_description(oid, 'pg_namespace') AS comment
           FROM pg_namespace WHERE nspname = 'public';\n`,
      );
      for (const args of [['up'], ['seed']]) {
        const result = await cli(args);
        expect(result.stderr, args.join(' ')).toBe('');
        expect(result.code).toBe(0);
      }

      const reset = await cli(['reset', '--force']);
      expect(reset.stderr).toBe('');
      expect(reset.code).toBe(0);
      expect(reset.stdout.split('\n')[0]).toMatch(/^No database configured: using the embedded database in \.aeturnis\/db/);
      expect(reset.stdout).toMatch(
        /Dropped schema public of database \S+ with everything in it, and created it again, empty, with its owner and privileges/,
      );
      expect(reset.stdout).toMatch(/Applied 0001_items\.sql[\s\S]*Reset database \S+: applied 1 migration in /);

      project.write(
        '0002_check.sql',
        check(
          "NOT EXISTS (SELECT 1 FROM items) AND (SELECT count(*) FROM schema_migrations) = 1 AND 'SWORD'::citext = 'sword' " +
            "AND (SELECT count(*) FROM keep.public_before b JOIN pg_namespace n ON n.nspname = 'public' " +
            '     WHERE b.owner = pg_get_userbyid(n.nspowner) AND b.acl IS NOT DISTINCT FROM n.nspacl::text ' +
            "       AND b.comment IS NOT DISTINCT FROM obj_description(n.oid, 'pg_namespace')) = 1",
        ),
      );
      const checked = await cli(['up']);
      expect(checked.stderr).toBe('');
      expect(checked.code).toBe(0);
      expect(checked.stdout).toContain('Applied 0002_check.sql');
    },
    TIMEOUT,
  );
});
