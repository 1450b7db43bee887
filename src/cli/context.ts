import type { Command } from 'commander';
import { parseLockRetries, type LockRetries } from '../api/lock-retries.js';
import type { CommonOptions } from '../api/options.js';
import { lockRetriesText, logFormatSetting, SETTINGS, secondsSetting, tableSetting } from '../settings.js';
import { createOutput, type LogFormat, type Output } from './output.js';
import { eventRenderer } from './render.js';

/** Options every command accepts (declared on the program, usable before or after the command). */
export interface GlobalFlags {
  databaseUrl?: string;
  dir?: string;
  table?: string;
  logFormat?: string;
  wait?: string;
  lockTimeout?: string;
  /** `--lock-retries SCHEDULE`, or false for `--no-lock-retries`. */
  lockRetries?: string | false;
  embeddedDir?: string;
  /** Run on many databases (src/cli/fleet/index.ts reads these). */
  targets?: string;
  targetsQuery?: string;
  concurrency?: string;
  failFast?: boolean;
  canary?: string;
  /** Fleet commands' --json (status's own). */
  json?: boolean;
}

/** What a command handler gets: its output and the options shared by every API call. */
export interface CommandContext {
  output: Output;
  common: CommonOptions;
  signal: AbortSignal;
}

/** The signal the CLI aborts on SIGINT/SIGTERM (reason: the signal's name). */
export const interruption = new AbortController();

/**
 * Builds a command's context from the global flags (flags win over AETURNIS_* variables).
 */
export async function commandContext(command: Command, options: { stdoutIsData?: boolean } = {}): Promise<CommandContext> {
  const flags = command.optsWithGlobals<GlobalFlags>();
  // A fleet run with --json: stdout carries one JSON object per target, log lines go to stderr.
  const fleetJson = (flags.targets !== undefined || flags.targetsQuery !== undefined) && flags.json === true;
  const output = await createOutput({ format: logFormat(flags.logFormat), stdoutIsData: (options.stdoutIsData ?? false) || fleetJson });
  activeOutput = output;
  const common: CommonOptions = {
    databaseUrl: flags.databaseUrl,
    dir: flags.dir,
    table: tableSetting(flags.table),
    waitSeconds: secondsSetting(SETTINGS.wait, flags.wait),
    lockTimeoutSeconds: secondsSetting(SETTINGS.lockTimeout, flags.lockTimeout),
    lockRetries: READS_WITHOUT_LOCKS.has(command.name()) ? undefined : lockRetries(flags.lockRetries),
    embeddedDir: flags.embeddedDir,
    // A fleet run renders each target's events itself (fleet/run.ts), with its own live view.
    onEvent: eventRenderer(output, { progress: flags.targets === undefined && flags.targetsQuery === undefined }),
    signal: interruption.signal,
  };
  return { output, common, signal: interruption.signal };
}

/** The output of the running command, for the top-level error handler. */
export let activeOutput: Output | undefined;

/**
 * Reads `--log-format` / AETURNIS_LOG_FORMAT.
 */
export function logFormat(flag: string | undefined): LogFormat {
  return logFormatSetting(flag);
}

/** Commands that take no lock (lint reads the setting: it decides require-lock-timeout): a bad lock-retry setting, which they never use, does not stop them. */
const READS_WITHOUT_LOCKS = new Set(['status', 'validate', 'new', 'import', 'list']);

/** `--lock-retries` / `--no-lock-retries`, else AETURNIS_LOCK_RETRIES; read before connecting so a typo fails fast. */
function lockRetries(flag: string | false | undefined): LockRetries | undefined {
  if (flag === false) return 'off';
  if (flag !== undefined) return parseLockRetries(flag, '--lock-retries');
  const value = lockRetriesText();
  return value === undefined ? undefined : parseLockRetries(value, 'AETURNIS_LOCK_RETRIES');
}
