import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ListedTable, Registration } from '../../api/partition-registry.js';
import { commandContext } from '../context.js';
import type { Output } from '../output.js';

/**
 * `partitions register TABLE [--column C] [--interval I] [--ahead N] [--retain M] [--retain-mode M]`,
 * `partitions unregister TABLE`, `partitions list [--json]`: the tables partition upkeep maintains.
 *
 * The parent `partitions` has `--ahead`, `--retain`, `--dry-run`, `--partition-table` and the
 * fleet's `--json` of its own, and commander gives a flag to the first command that knows it
 * (global flags work after the subcommand that way): these read their flags with
 * optsWithGlobals, and refuse the parent's flags that mean nothing to them.
 */
export function registerPartitionRegistry(partitions: Command): void {
  partitions
    .command('register')
    .description('register TABLE for partition upkeep, or change its settings (kept in the database, next to the journal)')
    .argument('<table>', 'the partitioned table, optionally schema-qualified (resolved like SQL: search_path, quoting)')
    .option('--column <name>', 'the partition key column the table must have (default: its one key column)')
    .option('--interval <unit>', 'day, week, month or year (default: month)')
    .option('--ahead <n>', 'partitions ahead of the current one to keep created (default: 3)')
    .option('--retain <m>', 'remove partitions whose range ended more than M intervals ago (default: never)')
    .option('--retain-mode <mode>', 'drop (default) or detach (kept as a plain table) what --retain removes')
    .action(async (table: string, _flags: unknown, command: Command) => {
      const flags = ownFlags(command, ['dryRun', 'partitionTable', 'json']);
      const context = await commandContext(command);
      const api = await import('../../api/partition-registry.js'); // loaded on use: --help stays fast
      const registration = await api.registerPartitionTable({
        ...context.common,
        partitionTable: table,
        column: text(flags.column),
        interval: text(flags.interval),
        ahead: text(flags.ahead),
        retain: text(flags.retain),
        retainMode: text(flags.retainMode),
      });
      const { entry } = registration;
      context.output.success(registrationLine(registration, api.qualifiedName(entry), api.describeSettings(entry)));
    });
  partitions
    .command('unregister')
    .description('remove TABLE from the partition registry: upkeep leaves it alone (its partitions stay)')
    .argument('<table>', 'the registered table, optionally schema-qualified')
    .action(async (table: string, _flags: unknown, command: Command) => {
      ownFlags(command, ['dryRun', 'partitionTable', 'json', 'ahead', 'retain']);
      const context = await commandContext(command);
      const { unregisterPartitionTable, qualifiedName } = await import('../../api/partition-registry.js');
      const removed = await unregisterPartitionTable({ ...context.common, partitionTable: table });
      context.output.success(`Unregistered ${qualifiedName(removed)}: partition upkeep leaves it alone now (its partitions stay)`);
    });
  partitions
    .command('list')
    .description('the tables registered for partition upkeep, with their settings (read-only)')
    .option('--json', 'print them as a JSON array on stdout (nothing else on stdout)')
    .action(async (_flags: unknown, command: Command) => {
      const flags = ownFlags(command, ['dryRun', 'partitionTable', 'ahead', 'retain']);
      const json = flags.json === true;
      const context = await commandContext(command, { stdoutIsData: json });
      const api = await import('../../api/partition-registry.js');
      const tables = await api.listPartitionTables(context.common);
      printList(
        context.output,
        tables,
        json ? undefined : (entry) => `${api.qualifiedName(entry)} by ${entry.column}: ${api.describeSettings(entry)}`,
      );
    });
}

/** The parent's flags a subcommand does not take, as the user typed them. */
const PARENT_FLAGS: Readonly<Record<string, string>> = {
  dryRun: '--dry-run',
  partitionTable: '--partition-table',
  json: '--json',
  ahead: '--ahead',
  retain: '--retain',
};

/** The subcommand's flags (its own and those the parent took for it); a flag in `refused` is a UsageError. */
function ownFlags(command: Command, refused: readonly string[]): Record<string, unknown> {
  const flags = command.optsWithGlobals<Record<string, unknown>>();
  const stray = refused.find((name) => flags[name] !== undefined);
  if (stray) throw new UsageError(`partitions ${command.name()} has no ${PARENT_FLAGS[stray]} option`);
  return flags;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * What `register` did, in one line (`name` and `settings` as the API's qualifiedName and describeSettings give them).
 */
function registrationLine({ outcome, changes }: Pick<Registration, 'outcome' | 'changes'>, name: string, settings: string): string {
  if (outcome === 'registered') return `Registered ${name} for partition upkeep: ${settings}`;
  if (outcome === 'updated') return `Updated ${name} for partition upkeep: ${settings} (${changes.join(', ')})`;
  return `${name} is already registered for partition upkeep: ${settings} (nothing changed)`;
}

/** The registry as lines (`describe` gives each one) or as a JSON array. */
function printList(output: Output, tables: ListedTable[], describe: ((entry: ListedTable) => string) | undefined): void {
  if (!describe) {
    const rows = tables.map(({ schema, table, column, interval, ahead, retain, retainMode, exists }) => ({
      schema,
      table,
      column,
      interval,
      ahead,
      retain,
      retainMode,
      exists,
    }));
    output.data(JSON.stringify(rows, null, 2));
    return;
  }
  if (tables.length === 0) {
    output.info('No table is registered for partition upkeep (partitions register TABLE adds one).');
    return;
  }
  for (const entry of tables) {
    const missing = entry.exists ? '' : ' — the table does not exist';
    output.data(`${describe(entry)}${missing}`);
  }
}
