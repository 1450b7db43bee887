import type { Command } from 'commander';
import type { Shard } from '../../api/fleet.js';
import { parseNonNegativeInteger } from '../../config.js';
import { UsageError } from '../../errors.js';
import { type Env, jobCompletionIndexSetting } from '../../settings.js';
import type { CommandContext } from '../context.js';
import type { FleetFlags } from './run.js';
import type { FleetCommand } from './summary.js';

/**
 * A command on many databases, as commands wire it: `runOnTargets` runs it on the configured
 * database, or with --targets / --targets-query on every target; the fleet flags are checked
 * here, before anything connects. Running and printing a fleet (run.ts, summary.ts) is loaded
 * only then: single-database runs stay fast.
 */

export type { FleetCommand, FleetStatusRow } from './summary.js';

/**
 * Runs a command on the configured database, or with --targets / --targets-query on every
 * target (loaded only then). Wiring a command is this one call in its action.
 */
export async function runOnTargets<R>(command: Command, context: CommandContext, spec: FleetCommand<R>): Promise<void> {
  const fleet = fleetFlags(command.optsWithGlobals(), command.name());
  if (!fleet) {
    const result = await spec.run(context.common);
    await spec.report?.(result);
    return;
  }
  const { runFleetCommand } = await import('./run.js'); // loaded on use: single-database runs stay fast
  await runFleetCommand(command.name(), context, fleet, spec);
}

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
  shard?: string | undefined;
  databaseUrl?: string | undefined;
  json?: boolean | undefined;
}

/**
 * Reads the fleet flags of `command`; undefined when neither --targets nor --targets-query is
 * given. Rolling-out flags without targets, both sources at once, --database-url next to a
 * targets file, a bad --shard, or a command that does not run on a fleet: UsageError (exit 2).
 * Pure but for JOB_COMPLETION_INDEX, read from `env` for `--shard auto/N`.
 */
export function fleetFlags(flags: FleetFlagValues, commandName: string, env?: Env): FleetFlags | undefined {
  const { targets, targetsQuery } = flags;
  if (targets === undefined && targetsQuery === undefined) {
    const stray = strayFlag(flags);
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
    shard: flags.shard !== undefined ? shardFlag(flags.shard, env) : undefined,
    json: flags.json ?? false,
  };
}

/** The first rolling-out flag given, for the error when no targets are. */
function strayFlag(flags: FleetFlagValues): string | undefined {
  if (flags.concurrency !== undefined) return '--concurrency';
  if (flags.failFast) return '--fail-fast';
  if (flags.canary !== undefined) return '--canary';
  if (flags.shard !== undefined) return '--shard';
  return undefined;
}

function positive(value: string, flag: string): number {
  const number = parseNonNegativeInteger(value, flag);
  if (number === 0) throw new UsageError(`${flag} must be at least 1 (got "${value}")`);
  return number;
}

/**
 * `--shard I/N` (shard I of N, from 1), or `auto/N`: the shard of this pod of a Kubernetes
 * Indexed Job, whose JOB_COMPLETION_INDEX counts from 0 (shard = index + 1).
 */
export function shardFlag(value: string, env?: Env): Shard {
  const match = /^(\d+|auto)\/(\d+)$/.exec(value.trim());
  if (!match) throw new UsageError(`--shard must be I/N (shard I of N, counting from 1) or auto/N (got "${value}")`);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new UsageError(`--shard ${value}: N must be at least 1`);
  if (match[1] !== 'auto') {
    const index = Number(match[1]);
    if (index < 1 || index > count) throw new UsageError(`--shard ${value}: I must be from 1 to ${count}`);
    return { index, count };
  }
  let jobIndex: number | undefined;
  try {
    jobIndex = jobCompletionIndexSetting(env);
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`--shard ${value}: ${error.message}`) : error;
  }
  if (jobIndex === undefined)
    throw new UsageError(`--shard ${value} needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it in each pod); it is not set`);
  if (jobIndex >= count) {
    throw new UsageError(
      `--shard ${value}: JOB_COMPLETION_INDEX is ${jobIndex}, but ${count} shards are indexes 0 to ${count - 1} (give the Job completions: ${count})`,
    );
  }
  return { index: jobIndex + 1, count };
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
