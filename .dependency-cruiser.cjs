/**
 * The layers of src/, checked in CI (npm run lint:deps):
 *   cli  ->  api (src/api, src/index.ts)  ->  the features (connection / journal / run / lock-retries / embedded /
 *   reset / drift / dump / migrations / partitions / verify / import / ...)  ->  the leaves (errors, identifiers, ...)
 * A layer may import the ones below it, never one above; nothing may form a cycle. Type-only
 * imports count too: a cycle of types is still a tangle a reader has to untie.
 */
const LOWER = '^src/(connection|journal|run|lock-retries|embedded|reset|migrations|partitions|verify|import|lint|typegen|fleet|adopt|drift|dump)/';
const LEAVES = '^src/(errors|config|redact|plural|environment|settings|identifiers)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle, of values or of types.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'api-not-into-cli',
      severity: 'error',
      comment: 'The API does not know the CLI.',
      from: { path: '^src/(api/|index\\.ts)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'lower-layers-not-up',
      severity: 'error',
      comment: 'connection, journal, run, migrations, partitions, verify, import, ... are below the API and the CLI.',
      from: { path: LOWER },
      to: { path: '^src/(api/|cli/|index\\.ts)' },
    },
    {
      name: 'cli-through-the-api',
      severity: 'error',
      comment: 'The CLI reaches the database, files and pure core only through src/api (errors, config and redact are leaves anyone may use).',
      from: { path: '^src/cli/' },
      to: { path: LOWER },
    },
    {
      name: 'leaves-stay-leaves',
      severity: 'error',
      comment: 'errors.ts, config.ts, redact.ts, plural.ts, identifiers.ts, ... import nothing of the project but each other.',
      from: { path: LEAVES },
      to: { path: '^src/', pathNot: LEAVES },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
