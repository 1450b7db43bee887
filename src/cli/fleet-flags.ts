import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../config.js';
import { UsageError } from '../errors.js';

/**
 * The global flags that run a command on many databases, checked before anything connects.
 * Pure: no file or database is touched here.
 */

/** The commands that accept --targets / --targets-query. */
const FLEET_COMMANDS: ReadonlySet<string> = new Set([
  'up',
  'down',
  'status',
  'validate',
  'verify',
  'partitions',
  'adopt',
  'baseline',
  'drift',
]);

/** The fleet flags as commander reads them. */
export interface FleetFlagValues {
  targets?: string | undefined;
  targetsQuery?: string | undefined;
  concurrency?: string | undefined;
  failFast?: boolean | undefined;
  canary?: string | undefined;
  databaseUrl?: string | undefined;
  json?: boolean | undefined;
}

/** Where the targets come from and how to roll out to them. */
export interface FleetFlags {
  source: { file: string } | { query: string };
  concurrency: number | undefined;
  failFast: boolean;
  canary: number | undefined;
  json: boolean;
}

/**
 * Reads the fleet flags of `command`; undefined when neither --targets nor --targets-query is
 * given. Rolling-out flags without targets, both sources at once, --database-url next to a
 * targets file, or a command that does not run on a fleet: UsageError (exit 2).
 */
export function fleetFlags(flags: FleetFlagValues, commandName: string): FleetFlags | undefined {
  const { targets, targetsQuery } = flags;
  if (targets === undefined && targetsQuery === undefined) {
    const stray =
      flags.concurrency !== undefined
        ? '--concurrency'
        : flags.failFast
          ? '--fail-fast'
          : flags.canary !== undefined
            ? '--canary'
            : undefined;
    if (stray) throw new UsageError(`${stray} needs --targets FILE or --targets-query SQL`);
    return undefined;
  }
  const flag = targets !== undefined ? '--targets' : '--targets-query';
  if (!FLEET_COMMANDS.has(commandName))
    throw new UsageError(`${flag} works with ${[...FLEET_COMMANDS].join(', ')}; not with ${commandName}`);
  if (targets !== undefined && targetsQuery !== undefined)
    throw new UsageError('give either --targets FILE or --targets-query SQL, not both');
  if (targets !== undefined && flags.databaseUrl !== undefined) {
    throw new UsageError(
      '--database-url is not used with --targets FILE: each target has its own URL (--targets-query runs on --database-url)',
    );
  }
  if ((targets ?? targetsQuery ?? '').trim() === '') throw new UsageError(`${flag} must not be empty`);
  return {
    source: targets !== undefined ? { file: targets } : { query: targetsQuery as string },
    concurrency: flags.concurrency !== undefined ? positive(flags.concurrency, '--concurrency') : undefined,
    failFast: flags.failFast ?? false,
    canary: flags.canary !== undefined ? positive(flags.canary, '--canary') : undefined,
    json: flags.json ?? false,
  };
}

function positive(value: string, flag: string): number {
  const number = parseNonNegativeInteger(value, flag);
  if (number === 0) throw new UsageError(`${flag} must be at least 1 (got "${value}")`);
  return number;
}

/** Commands given `--json` by {@link addFleetJsonOption}: there it means "one object per target" and needs targets. */
const FLEET_ONLY_JSON = new WeakSet<Command>();

/**
 * Gives every fleet command without a `--json` of its own the fleet's `--json` (one JSON object
 * per target on stdout). Called once all commands are registered.
 */
export function addFleetJsonOption(program: Command): void {
  for (const command of program.commands) {
    if (!FLEET_COMMANDS.has(command.name()) || command.options.some((option) => option.long === '--json')) continue;
    command.option('--json', 'with --targets/--targets-query: one JSON object per target on stdout (nothing else on stdout)');
    FLEET_ONLY_JSON.add(command);
  }
}

/**
 * Checks the fleet flags of the command about to run (a preAction hook): a fleet flag with a
 * command that has no fleet, or the fleet's --json without targets, is a UsageError.
 */
export function assertFleetFlags(command: Command): void {
  const fleet = fleetFlags(command.optsWithGlobals(), command.name());
  if (!fleet && FLEET_ONLY_JSON.has(command) && command.opts<{ json?: boolean }>().json === true) {
    throw new UsageError(`${command.name()} --json needs --targets FILE or --targets-query SQL (one JSON object per target)`);
  }
}
