/**
 * reset's confirmation: who is asked, what the question says, which answers confirm, and the
 * line saying what was dropped.
 */
import { describe, expect, it } from 'vitest';
import { confirmMode, confirmQuestion, isYes, offTerminalRefusal } from '../../src/cli/commands/reset-confirm.js';
import { resetDroppedMessage } from '../../src/cli/render-run.js';

describe('confirmMode', () => {
  it('goes ahead with --force, asks a terminal, refuses anything else', () => {
    expect(confirmMode(true, false)).toBe('go');
    expect(confirmMode(true, true)).toBe('go');
    expect(confirmMode(undefined, true)).toBe('ask');
    expect(confirmMode(false, undefined)).toBe('refuse');
    expect(offTerminalRefusal().exitCode).toBe(2);
    expect(offTerminalRefusal().message).toMatch(/not a terminal.*--force/);
  });
});

describe('isYes', () => {
  it('confirms only on y or yes, in any case; the default (empty) is no', () => {
    for (const yes of ['y', 'Y', 'yes', ' YES ', 'Yes\n']) expect(isYes(yes), yes).toBe(true);
    for (const no of ['', 'n', 'no', 'yep', 'y es', 'sure']) expect(isYes(no), no).toBe(false);
  });
});

describe('confirmQuestion', () => {
  it('names the database, what is dropped and what runs after, ending in [y/N]', () => {
    expect(
      confirmQuestion({ database: 'app_dev', schemas: ['public'], kept: [], journal: 'public.schema_migrations', migrations: 5, seeds: 0 }),
    ).toBe(
      'Reset database app_dev? This drops schema public with all its data (the journal public.schema_migrations too), then applies 5 migrations. [y/N] ',
    );
    expect(confirmQuestion({ database: 'x', schemas: ['ops', 'game'], kept: [], journal: 'ops.j', migrations: 1, seeds: 2 })).toBe(
      'Reset database x? This drops schemas ops, game with all their data (the journal ops.j too), then applies 1 migration and runs 2 seeds. [y/N] ',
    );
  });
});

describe('resetDroppedMessage', () => {
  it('says what was dropped and what was created again', () => {
    expect(resetDroppedMessage({ type: 'reset-dropped', database: 'd', dropped: ['public'], recreated: ['public'] })).toBe(
      'Dropped schema public of database d with everything in it, and created it again, empty, with its owner and privileges',
    );
    expect(resetDroppedMessage({ type: 'reset-dropped', database: 'd', dropped: ['public', 'game'], recreated: ['public'] })).toBe(
      'Dropped schemas public, game of database d with everything in them, and created public again, empty, with its owner and privileges',
    );
    expect(resetDroppedMessage({ type: 'reset-dropped', database: 'd', dropped: ['game'], recreated: [] })).toBe(
      'Dropped schema game of database d with everything in it (the migrations create it again)',
    );
  });
});
