import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MigratorEvent } from '../../api/events.js';
import type { FleetEvent, FleetResult, FleetTarget, Shard, TargetOutcome } from '../../api/fleet.js';
import { FleetFailedError, queryTargets, readTargetsFile, runFleet, TargetFailedWithResult, targetsInShard } from '../../api/fleet.js';
import type { CommonOptions } from '../../api/options.js';
import { ExitCode } from '../../errors.js';
import { plural } from '../../plural.js';
import { maskPassword } from '../../redact.js';
import type { CommandContext } from '../context.js';
import { formatMs } from '../format.js';
import type { Output } from '../output.js';
import { eventRenderer } from '../render.js';
import {
  doneLine,
  type FleetCommand,
  jsonLines,
  type Painter,
  type PrintedResult,
  painterFor,
  printed,
  renderSummary,
  summaryCells,
} from './summary.js';

/**
 * Running a command on every target: the targets loaded (and cut to --shard's), each target's
 * lines prefixed with its name, or on a terminal a live view of what each running target does;
 * then the summary (summary.ts). Loaded only with --targets / --targets-query.
 */

/** Where the targets come from and how to roll out to them (index.ts reads the flags). */
export interface FleetFlags {
  source: { file: string } | { query: string };
  concurrency: number | undefined;
  failFast: boolean;
  canary: number | undefined;
  /** Only the targets of this shard (--shard I/N, auto/N resolved). */
  shard?: Shard | undefined;
  json: boolean;
}

/**
 * A command run on every target: the targets loaded, the live view (a terminal) or plain
 * prefixed lines (CI), then the summary table or --json, and the exit code of the worst target.
 * Interrupted (SIGINT), it returns after the summary and the CLI exits 130.
 */
export async function runFleetCommand<R>(
  commandName: string,
  context: CommandContext,
  fleet: FleetFlags,
  spec: FleetCommand<R>,
): Promise<void> {
  const { output, common } = context;
  const targets = await loadTargets(context, fleet);
  if (targets.length === 0) return;
  const infoStream = fleet.json ? process.stderr : process.stdout;
  const painter = await painterFor(infoStream);
  const changed = commandName === 'down' ? 'Rolled back' : 'Applied';
  const live =
    output.format === 'human' && infoStream.isTTY && process.env.TERM !== 'dumb'
      ? new LiveView(infoStream, painter, {
          command: commandName,
          total: targets.length,
          done: 0,
          failed: 0,
          startedAt: performance.now(),
          running: new Map(),
        })
      : undefined;
  const handle = fleetEventHandler(output, live ?? plainSink(infoStream, painter), live, (outcome) => doneLine(outcome, changed));
  const targetFinished = periodicCollection();
  const onEvent = (event: FleetEvent<PrintedResult>): void => {
    handle(event);
    if (event.type === 'target-done') targetFinished();
  };
  live?.start();
  let result: FleetResult<PrintedResult>;
  try {
    result = await runFleet<PrintedResult>(
      {
        ...targetOptions(common),
        targets,
        concurrency: fleet.concurrency,
        failFast: fleet.failFast,
        canary: fleet.canary,
        journal: spec.journal,
        onEvent,
      },
      async (options) => {
        try {
          return printed(spec, await spec.run(options), fleet.json);
        } catch (error) {
          if (!(error instanceof TargetFailedWithResult)) throw error;
          throw new TargetFailedWithResult(error.failure, printed(spec, error.result as R, fleet.json));
        }
      },
    );
  } finally {
    live?.stop();
  }
  const tracked = spec.journal !== undefined;
  if (fleet.json) output.data(jsonLines(result.outcomes, tracked));
  else {
    const { head, rows } = summaryCells(result.outcomes, { matrix: spec.statusRow !== undefined, tracked, changed }, painter);
    output.data(await renderSummary(head, rows, painter));
  }
  if (context.signal.aborted) output.error(result.summary);
  else if (result.exitCode !== ExitCode.ok) throw new FleetFailedError(result.summary, result.exitCode as ExitCode);
  else output.success(result.summary, { event: 'fleet-done', targets: targets.length });
}

/**
 * The targets this run works on: the file's or the query's, only those of --shard when given.
 * None (an empty query, a shard no target falls in) is said in a line, not an error.
 */
async function loadTargets(context: CommandContext, fleet: FleetFlags): Promise<FleetTarget[]> {
  const { output, common } = context;
  const all = 'file' in fleet.source ? readTargetsFile(fleet.source.file) : await queryTargets(fleet.source.query, common);
  if (all.length === 0) {
    output.warn('--targets-query returned no rows: there is no target to run on');
    return all;
  }
  if (!fleet.shard) return all;
  const { index, count } = fleet.shard;
  const mine = targetsInShard(all, fleet.shard);
  const fields = { event: 'fleet-shard', shard: `${index}/${count}`, targets: mine.length, of: all.length };
  output.info(
    `Shard ${index}/${count}: ${mine.length} of ${plural(all.length, 'target')}${mine.length === 0 ? ', nothing to do' : ''}`,
    fields,
  );
  return mine;
}

/** The command's options for every target: all but where to connect and whom to tell. */
function targetOptions(common: CommonOptions): Omit<CommonOptions, 'databaseUrl' | 'connection' | 'onEvent'> {
  const { databaseUrl: _url, connection: _connection, onEvent: _onEvent, ...rest } = common;
  return rest;
}

/**
 * Routes each target's events to its own prefixed lines (rendered as the command renders them
 * for one database) and, on a terminal, to its line in the live view; a target's last line says
 * how it ended.
 */
function fleetEventHandler(
  output: Output,
  sink: LineSink,
  live: LiveView | undefined,
  ended: (outcome: TargetOutcome<PrintedResult>) => string,
): (event: FleetEvent<PrintedResult>) => void {
  const renderers = new Map<FleetTarget, ReturnType<typeof eventRenderer>>();
  const outputs = new Map<FleetTarget, Output>();
  return (event) => {
    const { target } = event;
    if (event.type === 'target-start') {
      const targetOut = targetOutput(output, target.name, sink);
      outputs.set(target, targetOut);
      renderers.set(target, eventRenderer(targetOut));
      live?.state.running.set(target.name, { activity: 'starting', since: performance.now() });
    } else if (event.type === 'target-event') {
      renderers.get(target)?.(event.event);
      const activity = activityOf(event.event);
      const running = live?.state.running.get(target.name);
      if (running && activity) running.activity = activity;
    } else {
      const { outcome } = event;
      const targetOut = outputs.get(target) ?? targetOutput(output, target.name, sink);
      const fields = { event: 'target-done', state: outcome.state, exitCode: outcome.exitCode, ms: Math.round(outcome.ms) };
      if (outcome.state === 'succeeded') targetOut.success(ended(outcome), fields);
      else targetOut.error(ended(outcome), fields);
      renderers.delete(target);
      outputs.delete(target);
      if (live) {
        live.state.running.delete(target.name);
        live.state.done += 1;
        if (outcome.state !== 'succeeded') live.state.failed += 1;
      }
    }
  };
}

type Level = 'info' | 'success' | 'warn' | 'error';

/** Where the lines of every target go (human format). */
export interface LineSink {
  /** One finished line of `level`, already prefixed with the target's name. */
  line(level: Level, text: string): void;
}

/**
 * Lines written as they come (off a terminal, in CI): progress on the info stream (stderr when
 * stdout carries --json), warnings and errors on stderr.
 */
function plainSink(infoStream: NodeJS.WriteStream, painter: Painter): LineSink {
  const paint: Record<Level, (text: string) => string> = {
    info: (t) => t,
    success: painter.green,
    warn: painter.yellow,
    error: painter.red,
  };
  return {
    line(level, text) {
      const stream = level === 'warn' || level === 'error' ? process.stderr : infoStream;
      stream.write(`${paint[level](maskPassword(text))}\n`);
    },
  };
}

/**
 * An Output for one target: its lines start with `[name]` (`[eu-1] Applied 0003_x.sql (4 ms)`,
 * `[eu-3] error: ...`); with --log-format json each line is the base's JSON line with a
 * `target` field instead.
 */
function targetOutput(base: Output, name: string, sink: LineSink): Output {
  if (base.format === 'json') {
    const tagged =
      (log: Output['info']) =>
      (message: string, fields: Record<string, unknown> = {}) =>
        log(message, { target: name, ...fields });
    return { ...base, info: tagged(base.info), success: tagged(base.success), warn: tagged(base.warn), error: tagged(base.error) };
  }
  const prefix = `[${name}] `;
  return {
    format: 'human',
    info: (message) => sink.line('info', prefix + message),
    success: (message) => sink.line('success', prefix + message),
    warn: (message) => sink.line('warn', `${prefix}warning: ${message}`),
    error: (message) => sink.line('error', `${prefix}error: ${message}`),
    data: (text) => base.data(text),
    flush: () => base.flush(),
  };
}

// The live view on a terminal: a progress line with a spinner and one line per running target,
// redrawn in place; warnings and errors are printed above it and stay.

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** What the live view shows. */
export interface LiveState {
  command: string;
  total: number;
  done: number;
  failed: number;
  startedAt: number;
  /** Running targets in the order they started: what each is doing, since when. */
  running: Map<string, { activity: string; since: number }>;
}

/**
 * What a target is doing, from its latest event (undefined: keep the previous activity).
 */
export function activityOf(event: MigratorEvent): string | undefined {
  switch (event.type) {
    case 'connecting':
      return 'connecting';
    case 'connect-retry':
      return `unreachable (${event.reason}), retry ${event.attempt}`;
    case 'lock-wait':
      return `waiting for the runner lock (held by ${event.holder})`;
    case 'migration-start':
      return `${event.direction === 'up' ? 'applying' : 'rolling back'} ${event.fileName}`;
    case 'migration-resume':
      return `resuming ${event.fileName}`;
    case 'partition':
      return 'partitions';
    case 'verify-scratch':
      return `verifying on ${event.database}`;
    case 'verify-result':
      return `verified ${event.result.fileName}`;
    default:
      return undefined;
  }
}

/**
 * The lines of one frame, each at most `width` characters: the progress line, then one line
 * per running target (at most `maxLines` in all; the rest counted).
 */
export function liveFrame(state: LiveState, now: number, width: number, maxLines: number, tick: number): string[] {
  const spinner = SPINNER[tick % SPINNER.length] as string;
  const failed = state.failed > 0 ? `, ${state.failed} failed` : '';
  const head = `${spinner} ${state.command}: ${state.done} of ${state.total} done${failed}, ${state.running.size} running (${formatMs(now - state.startedAt)})`;
  const entries = [...state.running.entries()];
  const room = Math.max(1, maxLines - 1);
  const shown = entries.length > room ? entries.slice(0, room - 1) : entries;
  const nameWidth = Math.min(30, Math.max(0, ...shown.map(([name]) => name.length)));
  const lines = shown.map(([name, { activity, since }]) => `  ${name.padEnd(nameWidth)}  ${activity} (${formatMs(now - since)})`);
  if (shown.length < entries.length) lines.push(`  ... and ${entries.length - shown.length} more`);
  return [head, ...lines].map((line) => truncate(line, width));
}

function truncate(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

/** A terminal to draw on: a TTY stream's writing and size. */
export type Terminal = Pick<NodeJS.WriteStream, 'write' | 'columns' | 'rows'>;

/**
 * Draws {@link liveFrame} on a terminal ten times a second; a line printed through it (a
 * target's warning or error) appears above the frame. Progress lines are not printed: the
 * frame shows them.
 */
export class LiveView implements LineSink {
  private height = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: Terminal,
    private readonly painter: Painter,
    readonly state: LiveState,
    /** Where warnings and errors go (stderr: the same terminal, unless redirected). */
    private readonly errors: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
  ) {}

  start(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  line(level: Level, text: string): void {
    if (level === 'info' || level === 'success') return;
    this.clear();
    const paint = level === 'error' ? this.painter.red : this.painter.yellow;
    this.errors.write(`${paint(maskPassword(text))}\n`);
    this.draw();
  }

  /** Stops redrawing and removes the frame (the summary follows). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    this.clear();
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const rows = Math.max(3, (this.stream.rows || 24) - 2);
    const lines = liveFrame(this.state, performance.now(), width, rows, this.tick++);
    this.stream.write(`${lines.map((line, index) => (index === 0 ? this.painter.cyan(line) : line)).join('\n')}\n`);
    this.height = lines.length;
  }

  private clear(): void {
    if (this.height > 0) this.stream.write(`\x1b[${this.height}A\r\x1b[0J`);
    this.height = 0;
  }
}

// Memory kept flat however many databases a run works on. Each target leaves garbage that lived
// long enough to reach V8's old generation (a connection, its buffers, the rows it read); V8
// collects that generation late, so the heap — and the peak RSS — grew with the number of
// targets (measured: 66 MB at 50 targets, 88 MB at 200, concurrency 8). A full collection every
// four finished targets (a few milliseconds each: the live heap is small) holds it flat (62 MB at
// 50 targets, 64 MB at 200). Only the CLI does this: its process is its own (the API leaves the
// caller's process alone).

/** Targets between full collections. */
const TARGETS_PER_COLLECTION = 4;

/**
 * Returns a function to call when a target finishes; it runs a full collection every
 * {@link TARGETS_PER_COLLECTION} calls. A no-op where V8 does not give its collector out.
 */
function periodicCollection(): () => void {
  const collect = fullCollector();
  if (!collect) return () => {};
  let finished = 0;
  return () => {
    finished++;
    if (finished % TARGETS_PER_COLLECTION === 0) collect();
  };
}

/** V8's `gc()`, exposed at run time (as `node --expose-gc` would at start). */
function fullCollector(): (() => void) | undefined {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  try {
    setFlagsFromString('--expose-gc');
    const exposed: unknown = runInNewContext('gc');
    return typeof exposed === 'function' ? (exposed as () => void) : undefined;
  } catch {
    return undefined;
  }
}
