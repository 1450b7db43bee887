// The Node floor for `up`, measured by the benchmarks: the least any Node tool using `pg` can
// do for "each migration in its own transaction" — one connection, and for every file its SQL
// as one query after BEGIN, then COMMIT. No CLI, no runner lock, no journal, no checks.
//
//   node bench/bare-pg.mjs URL DIR     (DIR: the corpus's psql/ directory, *.up.sql files)

// As the CLI does (src/cli/node-navigator.ts): keeps pg from loading Node's fetch stack.
if (typeof globalThis.navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true });
}
const { readdirSync, readFileSync } = await import('node:fs');
const { join } = await import('node:path');
const { default: pg } = await import('pg');

const [url, dir] = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.up.sql'))
  .sort();
const client = new pg.Client({ connectionString: url });
await client.connect();
for (const file of files) {
  await client.query(`BEGIN;\n${readFileSync(join(dir, file), 'utf8')}`);
  await client.query('COMMIT');
}
await client.end();
