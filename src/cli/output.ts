import type { Logger } from 'pino';
import { maskPassword, maskPasswordsIn } from '../redact.js';

/** Log formats: coloured lines for people, one pino JSON object per line for machines. */
export type LogFormat = 'human' | 'json';

type Level = 'info' | 'success' | 'warn' | 'error';

/** Where the CLI writes. Logs never contain a password. */
export interface Output {
  readonly format: LogFormat;
  info(message: string, fields?: Record<string, unknown>): void;
  success(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Command output (a table, JSON): always stdout, never a log line. */
  data(text: string): void;
  /** Waits until everything written has left the process. */
  flush(): Promise<void>;
}

/** Options of {@link createOutput}. */
export interface OutputOptions {
  format: LogFormat;
  /** When stdout carries data (`status --json`), human log lines go to stderr. */
  stdoutIsData?: boolean;
}

/**
 * Creates the CLI's output. Human format: chalk colours when the stream is a terminal
 * (NO_COLOR respected); JSON format: pino on stderr (loaded only then).
 */
export async function createOutput(options: OutputOptions): Promise<Output> {
  if (options.format === 'json') return jsonOutput();
  return humanOutput(options.stdoutIsData ?? false);
}

/**
 * False when chalk would colour nothing: NO_COLOR is set, or neither stdout nor stderr is a
 * terminal and FORCE_COLOR is not set (chalk's supports-color answers level 0 then). Output to
 * pipes and files (CI, containers) then skips loading chalk at all.
 */
export function coloursPossible(): boolean {
  if ((process.env.NO_COLOR ?? '') !== '') return false;
  return Boolean(process.stdout.isTTY) || Boolean(process.stderr.isTTY) || 'FORCE_COLOR' in process.env;
}

interface Painter {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
}

const PLAIN: Painter = { green: (text) => text, yellow: (text) => text, red: (text) => text };

async function humanOutput(stdoutIsData: boolean): Promise<Output> {
  let colourFor = (_stream: NodeJS.WriteStream): Painter => PLAIN;
  if (coloursPossible()) {
    const { Chalk, supportsColor, supportsColorStderr } = await import('chalk');
    colourFor = (stream) => {
      const support = stream === process.stderr ? supportsColorStderr : supportsColor;
      return new Chalk({ level: !support ? 0 : support.level });
    };
  }
  const infoStream = stdoutIsData ? process.stderr : process.stdout;
  const infoChalk = colourFor(infoStream);
  const errChalk = colourFor(process.stderr);
  const line = (stream: NodeJS.WriteStream, text: string) => stream.write(`${maskPassword(text)}\n`);
  return {
    format: 'human',
    info: (message) => line(infoStream, message),
    success: (message) => line(infoStream, infoChalk.green(message)),
    warn: (message) => line(process.stderr, errChalk.yellow(`warning: ${message}`)),
    error: (message) => line(process.stderr, errChalk.red(`error: ${message}`)),
    data: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    flush: () => Promise.all([drain(process.stdout), drain(process.stderr)]).then(() => {}),
  };
}

async function jsonOutput(): Promise<Output> {
  // A CommonJS package: bundled (scripts/build.mjs), import() gives only its default export.
  const pinoModule = await import('pino');
  const pino = pinoModule.default ?? pinoModule.pino;
  const logger: Logger = pino(
    {
      base: { name: 'aeturnis-db' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  const log = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
    const masked = maskPasswordsIn(JSON.parse(JSON.stringify(fields)) as Record<string, unknown>);
    const pinoLevel = level === 'success' ? 'info' : level;
    logger[pinoLevel](masked, maskPassword(message));
  };
  logProcessWarnings((warning) => log('warn', warning.message, { warning: warning.name, ...codeOf(warning) }));
  return {
    format: 'json',
    info: (message, fields) => log('info', message, fields),
    success: (message, fields) => log('success', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    data: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    flush: () => drain(process.stdout),
  };
}

/**
 * Node prints process warnings (a deprecation, a library's process.emitWarning, an insecure
 * NODE_TLS_REJECT_UNAUTHORIZED) as plain, often multi-line text on stderr. In JSON format they
 * become log lines instead, so every stderr line stays one JSON object.
 */
function logProcessWarnings(log: (warning: Error) => void): void {
  process.removeAllListeners('warning'); // Node's own printer
  process.on('warning', log);
}

function codeOf(warning: Error): { code?: string } {
  const code = (warning as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? { code } : {};
}

function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableNeedDrain) resolve();
    else stream.once('drain', () => resolve());
  });
}
