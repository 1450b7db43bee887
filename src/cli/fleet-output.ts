import { maskPassword } from '../redact.js';
import { coloursPossible, type Output } from './output.js';

/** Colours of fleet output; identity functions when output is not coloured. */
export interface Painter {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  gray(text: string): string;
}

const PLAIN: Painter = { green: (t) => t, yellow: (t) => t, red: (t) => t, cyan: (t) => t, gray: (t) => t };

/** The painter for `stream`: chalk (loaded only then) when colours are possible, NO_COLOR respected. */
export async function painterFor(stream: NodeJS.WriteStream): Promise<Painter> {
  if (!coloursPossible()) return PLAIN;
  const { Chalk, supportsColor, supportsColorStderr } = await import('chalk');
  const support = stream === process.stderr ? supportsColorStderr : supportsColor;
  return support && support.level > 0 ? new Chalk({ level: support.level }) : PLAIN;
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
export function plainSink(infoStream: NodeJS.WriteStream, painter: Painter): LineSink {
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
export function targetOutput(base: Output, name: string, sink: LineSink): Output {
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
