// The CLI says which migration is running while it runs: off a terminal (CI logs, containers) a
// plain line once a migration has run for 2 s — a short one stays one line — and with no
// command at all it prints the usage (exit 2).
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestProject } from '../support/test-project.js';

const { project, cli } = useTestProject();
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('a long migration', () => {
  it('is named while it runs, in a log: one line after 2 s, then the usual "Applied" line', async () => {
    project.write('0001_quick.sql', '-- UP\nCREATE TABLE quick (id int);\n-- DOWN\nDROP TABLE quick;\n');
    project.write(
      '0002_slow.sql',
      '-- UP\nSELECT pg_sleep(2.6);\nCREATE TABLE slow (id int);\n-- DOWN\nSELECT pg_sleep(2.6);\nDROP TABLE slow;\n',
    );
    const up = await cli(['up']);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
    expect(lines(up.stdout)).toEqual([
      expect.stringMatching(/^Applied 0001_quick\.sql \([\d.]+ m?s\)$/),
      expect.stringMatching(/^Applying 0002_slow\.sql: still running after 2\.\d s$/),
      expect.stringMatching(/^Applied 0002_slow\.sql \(2\.\d+ s\)$/),
      expect.stringMatching(/^Applied 2 migrations in /),
    ]);

    const down = await cli(['down']);
    expect(lines(down.stdout)).toEqual([
      expect.stringMatching(/^Rolling back 0002_slow\.sql: still running after 2\.\d s$/),
      expect.stringMatching(/^Rolled back 0002_slow\.sql \(2\.\d+ s\)$/),
    ]);
  });

  it('with --log-format json the reminder is a JSON line naming the file', async () => {
    project.write('0001_slow.sql', '-- UP\nSELECT pg_sleep(2.3);\n-- DOWN\n-- aeturnis:nothing-to-undo\n');
    const up = await cli(['--log-format', 'json', 'up']);
    expect(up.code).toBe(0);
    const running = up.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.event === 'running');
    expect(running).toEqual([
      expect.objectContaining({ file: '0001_slow.sql', direction: 'up', msg: expect.stringMatching(/still running/) }),
    ]);
  });
});

describe('no command', () => {
  it('prints the usage on stderr and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: aeturnis-db \[options\] \[command\]/);
    expect(result.stderr).toContain('up [options]');
  });
});

describe('AETURNIS_LOCK_RETRIES', () => {
  it('a bad value stops the commands that take locks, not status; false means off', async () => {
    project.write('0001_a.sql', '-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n');
    const status = await cli(['status'], { AETURNIS_LOCK_RETRIES: 'sometimes' });
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
    const up = await cli(['up'], { AETURNIS_LOCK_RETRIES: 'sometimes' });
    expect(up.code).toBe(2);
    expect(lines(up.stderr)).toEqual([expect.stringMatching(/^error: AETURNIS_LOCK_RETRIES needs three parts \(got "sometimes"\)/)]);
    const off = await cli(['up'], { AETURNIS_LOCK_RETRIES: 'false' });
    expect(off.code).toBe(0);
  });
});

describe('down of a migration with nothing to undo', () => {
  it('says that no SQL ran, not just "Rolled back"', async () => {
    project.write('0001_a.sql', '-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n');
    project.write('0002_backfill.sql', '-- UP\nINSERT INTO a VALUES (1);\n-- DOWN\n-- aeturnis:nothing-to-undo\n');
    expect((await cli(['up'])).code).toBe(0);
    const down = await cli(['down', '2']);
    expect(lines(down.stdout)).toEqual([
      expect.stringMatching(/^Rolled back 0002_backfill\.sql: nothing to undo, no SQL ran \([\d.]+ m?s\)$/),
      expect.stringMatching(/^Rolled back 0001_a\.sql \([\d.]+ m?s\)$/),
      'Rolled back 2 migrations',
    ]);
  });
});
