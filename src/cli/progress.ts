import type { Output } from './output.js';
import { formatDuration } from '../api/lock-retries.js';

/**
 * Says which migration is running while it runs. On a terminal: one live line, `Applying
 * 0003_add_index.sql… 12 s`, redrawn every second and wiped before the next line is printed, so
 * the log ends as it always did (one line per migration with its time). Off a terminal (CI,
 * containers, `--log-format json`): nothing for a migration that ends within `quietMs` — one line
 * per migration stays one line — and then a plain line, repeated every `everyMs`, so a CI log
 * shows which migration a long run is in.
 */
export class MigrationProgress {
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly output: Output,
    private readonly options: { terminal?: NodeJS.WriteStream | undefined; quietMs?: number; everyMs?: number } = {},
  ) {}

  /** Shows `fileName` as running since `started` (a `performance.now()` time; default now). */
  start(direction: 'up' | 'down', fileName: string, started: number = performance.now()): void {
    this.stop();
    active = this;
    const verb = direction === 'up' ? 'Applying' : 'Rolling back';
    const terminal = this.options.terminal;
    if (terminal) {
      const draw = (): void => {
        terminal.write(`\r\x1b[K${verb} ${fileName}… ${formatDuration(performance.now() - started)}`);
        this.drawn = true;
      };
      draw();
      this.timer = setInterval(draw, 1000).unref();
      return;
    }
    const everyMs = this.options.everyMs ?? 30_000;
    const quietMs = Math.max(0, (this.options.quietMs ?? 2000) - (performance.now() - started));
    const say = (): void => {
      const elapsedMs = performance.now() - started;
      this.output.info(`${verb} ${fileName}: still running after ${formatDuration(elapsedMs)}`, {
        event: 'running',
        direction,
        file: fileName,
        elapsedMs: Math.round(elapsedMs),
      });
    };
    this.timer = setTimeout(() => {
      say();
      this.timer = setInterval(say, everyMs).unref();
    }, quietMs).unref();
  }

  /** Ends the line or the reminders; idempotent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.drawn) this.options.terminal?.write('\r\x1b[K');
    this.drawn = false;
    if (active === this) active = undefined;
  }
}

let active: MigrationProgress | undefined;

/** Wipes the live line of the running migration, if any (before an error is printed). */
export function stopActiveProgress(): void {
  active?.stop();
}
