import type { Command } from 'commander';
import { LIBPQ_VARIABLES, SETTINGS } from '../settings.js';

/**
 * What each command's `--help` ends with: an example or two and the environment variables it
 * reads (their names from the settings module), kept in one table so that every command says
 * it the same way.
 */

const names = (...settings: { env: string }[]): string => settings.map((setting) => setting.env).join(', ');

/** Every command that connects reads these (a flag given on the command line wins). */
const CONNECTION = [
  `DATABASE_URL (else ${LIBPQ_VARIABLES.join(', ')}; else the embedded database)`,
  names(SETTINGS.table, SETTINGS.wait, SETTINGS.logFormat, SETTINGS.embeddedDir),
];
const MIGRATIONS = SETTINGS.migrationsDir.env;
const SEEDS = SETTINGS.seedsDir.env;
const RUNNER = names(SETTINGS.lockTimeout, SETTINGS.lockRetries);
/** Commands that run on fleets read this with `--shard auto/N` (a Kubernetes Indexed Job's pod index). */
const FLEET = `${SETTINGS.jobCompletionIndex.env} (with --shard auto/N)`;
const GUARD = `${SETTINGS.environment.env}, else ${SETTINGS.nodeEnvironment.env} (production guard; --allow-production overrides)`;

interface CommandHelp {
  examples: string[];
  environment: string[];
}

const HELP: Record<string, CommandHelp> = {
  up: {
    examples: [
      'aeturnis-db up',
      'aeturnis-db up --to 12 --dry-run',
      'aeturnis-db up --dump schema.sql',
      'aeturnis-db up --targets tenants.txt --shard auto/4   # pod of a 4-pod Indexed Job',
      'DATABASE_URL=postgres://app@db/game aeturnis-db up --no-partitions',
    ],
    environment: [
      ...CONNECTION,
      MIGRATIONS,
      RUNNER,
      `${SETTINGS.partitions.env} (off skips partition upkeep)`,
      `${SETTINGS.environment.env}, else ${SETTINGS.nodeEnvironment.env} (recorded in the database)`,
      FLEET,
    ],
  },
  down: {
    examples: ['aeturnis-db down', 'aeturnis-db down 3', 'aeturnis-db down --to 0'],
    environment: [...CONNECTION, MIGRATIONS, RUNNER, FLEET],
  },
  redo: { examples: ['aeturnis-db redo'], environment: [...CONNECTION, MIGRATIONS, RUNNER] },
  status: {
    examples: ['aeturnis-db status', 'aeturnis-db status --json | jq \'.[] | select(.state != "applied")\''],
    environment: [...CONNECTION, MIGRATIONS, FLEET],
  },
  validate: { examples: ['aeturnis-db validate && echo unchanged'], environment: [...CONNECTION, MIGRATIONS, FLEET] },
  verify: {
    examples: ['aeturnis-db verify', 'aeturnis-db verify --scratch-url postgres://ci@localhost/scratch'],
    environment: [...CONNECTION, MIGRATIONS, RUNNER, FLEET],
  },
  drift: {
    examples: ['aeturnis-db drift', "aeturnis-db drift --json | jq '.differences[]'", 'aeturnis-db drift --targets tenants.txt'],
    environment: [...CONNECTION, MIGRATIONS, FLEET],
  },
  lint: {
    examples: ['aeturnis-db lint', 'aeturnis-db lint --all --json', 'aeturnis-db lint migrations/0007_add_index.sql'],
    environment: [MIGRATIONS],
  },
  new: { examples: ['aeturnis-db new add_guilds'], environment: [MIGRATIONS] },
  partitions: {
    examples: [
      'aeturnis-db partitions',
      'aeturnis-db partitions --ahead 6 --dry-run',
      'aeturnis-db partitions register events --interval day --ahead 7',
    ],
    environment: [...CONNECTION, RUNNER, FLEET],
  },
  seed: { examples: ['aeturnis-db seed'], environment: [...CONNECTION, SEEDS, GUARD] },
  reset: {
    examples: ['aeturnis-db reset --seed', 'aeturnis-db reset --force   # off a terminal'],
    environment: [...CONNECTION, MIGRATIONS, RUNNER, SEEDS, GUARD],
  },
  import: {
    examples: ['aeturnis-db import --from dbmate db/migrations', 'aeturnis-db import --from goose ./sql --dry-run'],
    environment: [MIGRATIONS],
  },
  adopt: {
    examples: ['aeturnis-db adopt --from dbmate', 'aeturnis-db adopt --from flyway --dry-run'],
    environment: [...CONNECTION, MIGRATIONS, FLEET],
  },
  baseline: { examples: ['aeturnis-db baseline 42'], environment: [...CONNECTION, MIGRATIONS, FLEET] },
  dump: {
    examples: ['aeturnis-db dump --out schema.sql', 'aeturnis-db up && aeturnis-db dump --out schema.sql --check   # in CI'],
    environment: [...CONNECTION],
  },
  types: {
    examples: ['aeturnis-db types --out src/db/schema.ts', 'aeturnis-db types --out src/db/schema.ts --check'],
    environment: [...CONNECTION, MIGRATIONS],
  },
};

/**
 * Adds the examples and environment variables to the `--help` of each command of `program`.
 */
export function addCommandHelp(program: Command): void {
  for (const command of program.commands) {
    const help = HELP[command.name()];
    if (!help) continue;
    const examples = help.examples.map((example) => `  $ ${example}`).join('\n');
    const environment = help.environment.map((variable) => `  ${variable}`).join('\n');
    command.addHelpText('after', `\nExamples:\n${examples}\n\nEnvironment:\n${environment}\n`);
  }
}
