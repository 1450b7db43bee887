import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempProject, type TempProject } from '../support/project.js';
import { typecheckStrict } from '../support/typecheck.js';

/** `types` on a database whose names try to end the comment or string they are written into and become code. */

let db: TestDatabase;
let project: TempProject;

beforeEach(async () => {
  db = await createTestDatabase();
  project = tempProject({});
  symlinkSync(join(repoRoot, 'node_modules'), join(project.dir, 'node_modules'), 'dir'); // @types/node for tsc
});
afterEach(async () => {
  await db.drop();
  project.remove();
});

const TABLE = 'x */ Object.assign(globalThis, { pwned: 1 }); /*';
const SCHEMA = 's */ Object.assign(globalThis, { pwned: 2 }); /*';
const ENUM = 'e */ Object.assign(globalThis, { pwned: 3 }); /*';
const LABELS = ['*/ globalThis.pwned = 4; /*', 'it\'s "q" \\', 'line\nbreak', 'sep\u2028', '${globalThis.pwned = 5}'];
const COLUMN = 'col */ globalThis.pwned = 6; /* "\\';

/** A PostgreSQL double-quoted identifier. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** A PostgreSQL E'' literal, so a line break can be written as \n. */
const literal = (text: string) => `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n')}'`;

describe('types: names from the database never become code', () => {
  it('hostile table, schema, column, enum and label names: the file compiles strictly, runs nothing when imported, and keeps the names intact', async () => {
    await db.query(`CREATE SCHEMA ${ident(SCHEMA)}`);
    await db.query(`CREATE TYPE ${ident(SCHEMA)}.${ident(ENUM)} AS ENUM (${LABELS.map(literal).join(', ')})`);
    await db.query(`CREATE TABLE ${ident(TABLE)} (id int NOT NULL, ${ident(COLUMN)} ${ident(SCHEMA)}.${ident(ENUM)} NOT NULL)`);
    await db.query(`CREATE TABLE ${ident(SCHEMA)}.${ident(TABLE)} (id int NOT NULL)`);
    const result = await runCli(['types', '--out', 'db.ts'], { cwd: project.dir, databaseUrl: db.url });
    expect(result.code, result.stderr).toBe(0);

    // Using the names as keys and values only type-checks when they are there, spelled exactly.
    const use = [
      "import type { Database } from './db.js';",
      `const row: Database[${JSON.stringify(TABLE)}] = { id: 1, ${JSON.stringify(COLUMN)}: ${JSON.stringify(LABELS[1])} };`,
      `const labels: Database[${JSON.stringify(TABLE)}][${JSON.stringify(COLUMN)}][] = ${JSON.stringify(LABELS)};`,
      `const other: Database[${JSON.stringify(`${SCHEMA}.${TABLE}`)}] = { id: 2 };`,
      'export const used = [row, labels, other];',
    ].join('\n');
    writeFileSync(join(project.dir, 'use.ts'), use);
    const tsc = typecheckStrict(project.dir, ['db.ts', 'use.ts']);

    // What importing the file runs: its JavaScript, types stripped.
    const source = readFileSync(join(project.dir, 'db.ts'), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
    writeFileSync(join(project.dir, 'db.mjs'), js.outputText);
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./db.mjs'); console.log(JSON.stringify({ exports: Object.keys(m), pwned: globalThis.pwned ?? null }));",
      ],
      { cwd: project.dir, encoding: 'utf8' },
    );
    expect({ tsc, stderr: run.stderr, imported: JSON.parse(run.stdout) as unknown }).toEqual({
      tsc: { code: 0, output: '' },
      stderr: '',
      imported: { exports: [], pwned: null },
    });
  });
});
