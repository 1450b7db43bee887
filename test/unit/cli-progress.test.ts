import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Output } from '../../src/cli/output.js';
import { MigrationProgress } from '../../src/cli/progress.js';

function recordingOutput(): Output & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => lines.push(message);
  return { format: 'human', lines, info: push, success: push, warn: push, error: push, data: push, flush: async () => {} };
}

function terminal(): NodeJS.WriteStream & { text: () => string } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return Object.assign(stream as unknown as NodeJS.WriteStream, { text: () => written });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MigrationProgress', () => {
  it('on a terminal: a live line redrawn every second, wiped when the migration ends, no log line', async () => {
    vi.useFakeTimers();
    const output = recordingOutput();
    const tty = terminal();
    const progress = new MigrationProgress(output, { terminal: tty });
    progress.start('up', '0003_add_index.sql');
    await vi.advanceTimersByTimeAsync(2100);
    progress.stop();
    await vi.advanceTimersByTimeAsync(0);
    const text = tty.text();
    const clearLine = '\r\u001b[K';
    expect(text.split(`${clearLine}Applying 0003_add_index.sql… `)).toHaveLength(4); // drawn 3 times
    expect(text.endsWith(clearLine)).toBe(true);
    expect(output.lines).toEqual([]);
  });

  it('off a terminal: silent for a short migration; a line after 2 s, then every 30 s', async () => {
    vi.useFakeTimers();
    const output = recordingOutput();
    const progress = new MigrationProgress(output);
    progress.start('up', '0001_quick.sql');
    await vi.advanceTimersByTimeAsync(1500);
    progress.stop();
    progress.start('down', '0002_slow.sql');
    await vi.advanceTimersByTimeAsync(62_500);
    progress.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(output.lines).toEqual([
      expect.stringMatching(/^Rolling back 0002_slow\.sql: still running after 2\.0 s$/),
      expect.stringMatching(/^Rolling back 0002_slow\.sql: still running after 32\.0 s$/),
      expect.stringMatching(/^Rolling back 0002_slow\.sql: still running after 1 min 2 s$/),
    ]);
  });
});
