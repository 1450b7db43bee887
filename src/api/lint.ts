import { UsageError } from '../errors.js';
import { resolveLockRetries } from '../lock-retries/schedule.js';
import type { CommonOptions } from './options.js';
import { isBlankSql, runsWithoutTransaction, type Migration } from '../migrations/parse.js';
import { resolveLevels } from '../lint/config.js';
import { scanLintIgnores } from '../lint/directives.js';
import { sortFindings, type Finding, type FindingLevel, type FindingSource, type RawFinding } from '../lint/finding.js';
import { historyBeside, readLintConfig, readTargets, targetsInDirectory, type LintTarget } from '../lint/files.js';
import { ownFindings } from '../lint/own-rules.js';
import { refineFindings, setNotNullKeys } from '../lint/refine.js';
import { emptySchemaFacts, schemaTimeline } from '../lint/schema-facts.js';
import { appliesToSection, squawkRuleFlags } from '../lint/rules.js';
import { installedSquawkBinary } from '../lint/squawk-binary.js';
import { runSquawk, type SquawkInput } from '../lint/squawk-run.js';
import { settleFindings } from '../lint/settle.js';

export type { Finding, FindingLevel, FindingSource };

/** Options of {@link lint}. */
export interface LintOptions extends CommonOptions {
  /** Lint these migration files (paths) instead of the pending ones; no database is used. */
  files?: readonly string[] | undefined;
  /** Lint every migration under `dir` instead of the pending ones; no database is used. */
  all?: boolean | undefined;
  /** Rules to turn off (`--exclude`), whatever the configuration says. */
  exclude?: readonly string[] | undefined;
  /** Rules to turn on at their usual level (`--include`). */
  include?: readonly string[] | undefined;
  /** The configuration file (default: `aeturnis-db.lint.json` in `cwd`, when it exists). */
  config?: string | undefined;
  /** Where relative paths and the configuration file are found (default: process.cwd()). */
  cwd?: string | undefined;
}

/** Result of {@link lint}. */
export interface LintResult {
  /** Every finding, by file, line and column. */
  findings: Finding[];
  /** The files checked, as named in the findings. */
  files: string[];
  errors: number;
  warnings: number;
  /** No error-level finding (the CLI exits 3 otherwise). */
  ok: boolean;
}

/**
 * Checks migrations with squawk plus aeturnis-db's own rules: the pending ones (which needs
 * the database, read-only), or `files`, or `all` under `dir` (neither connects).
 *
 * @example
 * import { lint } from 'aeturnis-db';
 * const { ok, findings } = await lint({ all: true });
 * for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.rule}: ${f.message}`);
 */
export async function lint(options: LintOptions = {}): Promise<LintResult> {
  if (options.files?.length && options.all) throw new UsageError('lint takes FILE... or --all, not both');
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const config = readLintConfig(options.config, cwd);
  const levelOf = resolveLevels({
    config,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
    // While `up` does not retry lock timeouts, squawk's require-lock-timeout is on.
    lockRetries: resolveLockRetries(options.lockRetries, env) !== 'off',
  });
  const binary = installedSquawkBinary(); // before anything else: a missing binary is said at once
  const { targets, history } = await selectTargets(options, cwd);

  const inputs: SquawkInput[] = [];
  const owners: { target: LintTarget; kind: 'up' | 'down' }[] = [];
  for (const target of targets) {
    const { up, down } = target.migration;
    for (const [kind, section] of [
      ['up', up],
      ['down', down],
    ] as const) {
      if (section === undefined || isBlankSql(section.sql)) continue;
      inputs.push({ section, transactional: !runsWithoutTransaction(target.migration, kind) });
      owners.push({ target, kind });
    }
  }
  const squawkFindings = await runSquawk(inputs, { binary, ...squawkRuleFlags(levelOf), pgVersion: config.pgVersion });
  // What the earlier migrations built: squawk sees one section at a time.
  const timeline = schemaTimeline(
    history,
    targets.map((target) => target.migration),
  );
  const fromSquawk = new Map<LintTarget, RawFinding[]>();
  squawkFindings.forEach((found, index) => {
    const { target, kind } = owners[index] as (typeof owners)[number];
    const { migration } = target;
    const known = timeline.get(migration);
    const kept = refineFindings(
      found.filter((finding) => appliesToSection(finding.rule, kind)),
      {
        kind,
        section: (kind === 'up' ? migration.up : migration.down) ?? migration.up,
        transactional: !migration.noTransaction,
        schema: (kind === 'up' ? known?.beforeUp : known?.beforeDown) ?? emptySchemaFacts(),
        setNotNullInUp: kind === 'down' ? setNotNullKeys(migration.up.sql) : new Set(),
      },
    );
    fromSquawk.set(target, [...(fromSquawk.get(target) ?? []), ...kept]);
  });

  const findings: Finding[] = [];
  for (const target of targets) {
    const { ignores, problems } = scanLintIgnores(target.text, target.migration.up.startLine - 1);
    const raw = [...ownFindings(target.migration), ...(fromSquawk.get(target) ?? []), ...problems];
    const facts = { file: target.file, transactional: !target.migration.noTransaction, ignores };
    findings.push(...settleFindings(raw, facts, levelOf));
  }
  const files = targets.map((target) => target.file);
  const errors = findings.filter((finding) => finding.level === 'error').length;
  return { findings: sortFindings(findings, files), files, errors, warnings: findings.length - errors, ok: errors === 0 };
}

/**
 * The files to lint (those given, every migration under --dir, or the pending ones) and the
 * history they belong to, whose earlier migrations tell which tables are partitioned.
 */
async function selectTargets(options: LintOptions, cwd: string): Promise<{ targets: LintTarget[]; history: Migration[] }> {
  if (options.files?.length) {
    const targets = readTargets(options.files, cwd);
    return { targets, history: historyBeside(options.files, cwd) };
  }
  const [{ migrationsDir }, { status }] = await Promise.all([import('./options.js'), import('./status.js')]);
  const { loadMigrations } = await import('../migrations/discover.js');
  const dir = migrationsDir(options);
  const migrations = loadMigrations(dir);
  if (options.all) return { targets: targetsInDirectory(migrations, dir, cwd), history: migrations };
  // What `up` would run: pending migrations, and partially applied ones it would resume.
  const { migrations: rows } = await status(options);
  const toRun = new Set(rows.filter((row) => row.state === 'pending' || row.state === 'partial').map((row) => row.fileName));
  const targets = targetsInDirectory(
    migrations.filter((migration) => toRun.has(migration.fileName)),
    dir,
    cwd,
  );
  return { targets, history: migrations };
}
export { parseRuleList } from '../lint/config.js';
