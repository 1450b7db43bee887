import type { MigratorEvent } from '../api/events.js';
import { maskPassword } from '../redact.js';
import type { LineSink, Painter } from './fleet-output.js';
import { formatMs } from './format.js';

/**
 * The live view of a fleet run on a terminal: a progress line with a spinner and one line per
 * running target, redrawn in place; warnings and errors are printed above it and stay.
 */

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

/**
 * Draws {@link liveFrame} on a terminal ten times a second; a line printed through it (a
 * target's warning or error) appears above the frame. Progress lines are not printed: the
 * frame shows them.
 */
/** A terminal to draw on: a TTY stream's writing and size. */
export type Terminal = Pick<NodeJS.WriteStream, 'write' | 'columns' | 'rows'>;

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

  line(level: 'info' | 'success' | 'warn' | 'error', text: string): void {
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
