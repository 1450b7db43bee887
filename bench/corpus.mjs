// Migration corpora for the benchmarks: the same migrations written in every tool's format.
//
// A corpus of N migrations cycles through five realistic kinds, so every fifth migration
// creates a table and the four after it work on that table:
//   create-table  CREATE TABLE (identity PK, FK to the previous table, CHECK, jsonb, defaults)
//                 + two CREATE INDEX
//   alter-table   ALTER TABLE ADD COLUMN + ADD CONSTRAINT CHECK + COMMENT
//   create-index  CREATE INDEX (partial, expression)
//   insert        a small INSERT (5 rows)
//   function      a plpgsql trigger function + CREATE TRIGGER
// Every migration has an exact DOWN, so `down` of all N runs them in reverse order.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KINDS = ['create_table', 'alter_table', 'create_index', 'insert_rows', 'trigger_function'];

/**
 * The migrations of a corpus: [{ version, name, up, down }], up/down being plain SQL.
 * Deterministic: the same N always gives the same text.
 */
export function corpusMigrations(n) {
  const migrations = [];
  let table = null;
  let previous = null;
  for (let k = 1; k <= n; k++) {
    const kind = KINDS[(k - 1) % KINDS.length];
    let up;
    let down;
    let name;
    if (kind === 'create_table') {
      previous = table;
      table = `t${String(k).padStart(5, '0')}`;
      name = `create_${table}`;
      const ref = previous ? `bigint REFERENCES ${previous} (id) ON DELETE SET NULL` : 'bigint';
      up = `CREATE TABLE ${table} (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id   ${ref},
  name        text        NOT NULL,
  email       text,
  status      text        NOT NULL DEFAULT 'new'
              CHECK (status IN ('new', 'active', 'suspended', 'deleted')),
  score       numeric(12, 2) NOT NULL DEFAULT 0,
  attributes  jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz
);

CREATE INDEX ${table}_parent_id_idx ON ${table} (parent_id);
CREATE UNIQUE INDEX ${table}_email_key ON ${table} (lower(email)) WHERE email IS NOT NULL;

COMMENT ON TABLE ${table} IS 'benchmark table ${k}';
`;
      down = `DROP TABLE ${table};\n`;
    } else if (kind === 'alter_table') {
      name = `add_${table}_rank`;
      up = `ALTER TABLE ${table} ADD COLUMN rank integer NOT NULL DEFAULT 0;
ALTER TABLE ${table} ADD CONSTRAINT ${table}_rank_check CHECK (rank >= 0);
ALTER TABLE ${table} ALTER COLUMN updated_at SET DEFAULT now();
COMMENT ON COLUMN ${table}.rank IS 'position in the leaderboard';
`;
      down = `ALTER TABLE ${table} ALTER COLUMN updated_at DROP DEFAULT;
ALTER TABLE ${table} DROP COLUMN rank;
`;
    } else if (kind === 'create_index') {
      name = `index_${table}_recent`;
      up = `CREATE INDEX ${table}_recent_idx ON ${table} (created_at DESC, id)
  WHERE status <> 'deleted';
CREATE INDEX ${table}_attributes_idx ON ${table} USING gin (attributes jsonb_path_ops);
`;
      down = `DROP INDEX ${table}_attributes_idx;
DROP INDEX ${table}_recent_idx;
`;
    } else if (kind === 'insert_rows') {
      name = `seed_${table}`;
      const rows = [];
      for (let r = 1; r <= 5; r++) {
        rows.push(
          `  ('seed-${k}-${r}', 'player${k}_${r}@example.com', '${r % 2 ? 'active' : 'new'}', ${r * 10}.50, '{"level": ${r}, "guild": "g${k % 7}"}', ${r})`,
        );
      }
      up = `INSERT INTO ${table} (name, email, status, score, attributes, rank) VALUES
${rows.join(',\n')};
`;
      down = `DELETE FROM ${table} WHERE name LIKE 'seed-${k}-%';\n`;
    } else {
      name = `touch_${table}`;
      up = `CREATE FUNCTION ${table}_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'deleted' AND OLD.status <> 'deleted' THEN
    NEW.attributes := NEW.attributes || jsonb_build_object('deleted_at', now());
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${table}_touch();
`;
      down = `DROP TRIGGER ${table}_touch ON ${table};
DROP FUNCTION ${table}_touch();
`;
    }
    migrations.push({ version: k, name, up, down });
  }
  return migrations;
}

/** The name of the newest table a corpus of N creates (for sanity checks). */
export function lastTableOf(n) {
  const k = Math.floor((n - 1) / KINDS.length) * KINDS.length + 1;
  return `t${String(k).padStart(5, '0')}`;
}

function freshDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Writes a corpus in every format under `root`:
 *   aeturnis/     0001_name.sql with -- UP / -- DOWN
 *   psql/         0001_name.up.sql, 0001_name.down.sql, and the driver scripts
 *                 per-txn-up.sql (BEGIN; \i file; COMMIT; per file), all-up.sql (\i per file,
 *                 run with -1), per-txn-down.sql (newest first)
 *   dbmate/       0001_name.sql with -- migrate:up / -- migrate:down
 *   node-pg-migrate/ 0001_name.sql with -- Up Migration / -- Down Migration
 *   postgrator/   0001.do.name.sql, 0001.undo.name.sql
 * Returns the directories and file lists.
 */
export function writeCorpus(root, migrations) {
  const dirs = {
    aeturnis: freshDir(join(root, 'aeturnis')),
    psql: freshDir(join(root, 'psql')),
    dbmate: freshDir(join(root, 'dbmate')),
    npm: freshDir(join(root, 'node-pg-migrate')),
    postgrator: freshDir(join(root, 'postgrator')),
  };
  const psqlUpFiles = [];
  const psqlDownFiles = [];
  for (const m of migrations) {
    const v = String(m.version).padStart(4, '0');
    writeFileSync(join(dirs.aeturnis, `${v}_${m.name}.sql`), `-- ${m.name}\n\n-- UP\n${m.up}\n-- DOWN\n${m.down}`);
    const upFile = join(dirs.psql, `${v}_${m.name}.up.sql`);
    const downFile = join(dirs.psql, `${v}_${m.name}.down.sql`);
    writeFileSync(upFile, m.up);
    writeFileSync(downFile, m.down);
    psqlUpFiles.push(upFile);
    psqlDownFiles.push(downFile);
    writeFileSync(join(dirs.dbmate, `${v}_${m.name}.sql`), `-- migrate:up\n${m.up}\n-- migrate:down\n${m.down}`);
    writeFileSync(join(dirs.npm, `${v}_${m.name}.sql`), `-- Up Migration\n${m.up}\n-- Down Migration\n${m.down}`);
    writeFileSync(join(dirs.postgrator, `${v}.do.${m.name}.sql`), m.up);
    writeFileSync(join(dirs.postgrator, `${v}.undo.${m.name}.sql`), m.down);
  }
  const include = (file) => `\\i '${file.replace(/'/g, "''")}'`;
  const scripts = {
    perTxnUp: join(root, 'psql-per-txn-up.sql'),
    allUp: join(root, 'psql-all-up.sql'),
    perTxnDown: join(root, 'psql-per-txn-down.sql'),
  };
  writeFileSync(scripts.perTxnUp, psqlUpFiles.map((f) => `BEGIN;\n${include(f)}\nCOMMIT;\n`).join(''));
  writeFileSync(scripts.allUp, psqlUpFiles.map((f) => `${include(f)}\n`).join(''));
  writeFileSync(
    scripts.perTxnDown,
    [...psqlDownFiles]
      .reverse()
      .map((f) => `BEGIN;\n${include(f)}\nCOMMIT;\n`)
      .join(''),
  );
  return { dirs, psqlUpFiles, scripts };
}

/**
 * A directory of `count` tiny migrations (for `status` with thousands of files).
 */
export function writeManyMigrations(dir, count) {
  freshDir(dir);
  for (let k = 1; k <= count; k++) {
    const v = String(k).padStart(5, '0');
    writeFileSync(join(dir, `${v}_step_${k}.sql`), `-- UP\nSELECT ${k};\n-- DOWN\nSELECT -${k};\n`);
  }
  return dir;
}

/**
 * One migration of about `megabytes` MB: a table and ~100-byte single-row INSERTs.
 * Returns { aeturnisDir, psqlFile, statements, bytes }.
 */
export function writeBigMigration(root, megabytes) {
  const aeturnisDir = freshDir(join(root, 'aeturnis'));
  const target = megabytes * 1024 * 1024;
  const parts = ['CREATE TABLE big_import (id integer PRIMARY KEY, name text NOT NULL, payload text NOT NULL);\n'];
  let bytes = parts[0].length;
  let id = 0;
  while (bytes < target) {
    id++;
    const line = `INSERT INTO big_import (id, name, payload) VALUES (${id}, 'row-${id}', 'lorem ipsum dolor sit amet ${id % 9973}');\n`;
    parts.push(line);
    bytes += line.length;
  }
  const up = parts.join('');
  const text = `-- a 20 MB data import\n-- UP\n${up}\n-- DOWN\nDROP TABLE big_import;\n`;
  writeFileSync(join(aeturnisDir, '0001_big_import.sql'), text);
  const psqlFile = join(root, 'big.up.sql');
  writeFileSync(psqlFile, up);
  return { aeturnisDir, psqlFile, statements: id + 1, bytes: Buffer.byteLength(text) };
}

/** Monthly partitions DDL for the psql reference of `partitions --ahead N` (UTC months). */
export function partitionsSql(ahead, now = new Date()) {
  const statements = [];
  for (let i = 0; i <= ahead; i++) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i + 1, 1));
    const name = `audit_log_${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
    statements.push(`CREATE TABLE ${name} PARTITION OF audit_log FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}');`);
  }
  return `${statements.join('\n')}\n`;
}

/** The empty, partitioned audit_log of the shipped schema (no FK to users, no monthly partitions). */
export const AUDIT_LOG_DDL = `
CREATE TABLE audit_log (
  id            uuid        NOT NULL DEFAULT gen_random_uuid(),
  actor_id      uuid,
  event_type    text        NOT NULL,
  resource_type text,
  resource_id   text,
  changes       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  ip_address    inet,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT audit_log_pkey PRIMARY KEY (id, created_at),
  CONSTRAINT audit_log_event_type_check CHECK (event_type <> ''),
  CONSTRAINT audit_log_resource_check CHECK (resource_id IS NULL OR resource_type IS NOT NULL),
  CONSTRAINT audit_log_changes_check CHECK (jsonb_typeof(changes) = 'object')
) PARTITION BY RANGE (created_at);
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
CREATE INDEX audit_log_actor_id_created_at_idx ON audit_log (actor_id, created_at DESC);
CREATE INDEX audit_log_event_type_created_at_idx ON audit_log (event_type, created_at DESC);
CREATE INDEX audit_log_resource_created_at_idx ON audit_log (resource_type, resource_id, created_at DESC);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);
`;
