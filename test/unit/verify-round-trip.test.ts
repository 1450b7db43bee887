import { describe, expect, it } from 'vitest';
import { MigrationSqlError } from '../../src/errors.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { roundTrip, type RoundTripSteps } from '../../src/verify/round-trip.js';
import { snapshotFromRows, type SchemaSnapshot } from '../../src/verify/snapshot.js';

const table = (name: string) => ({ kind: 'table', name, attrs: {} });
const EMPTY = snapshotFromRows([]);
const WITH_T = snapshotFromRows([table('t')]);

/**
 * Steps that play a scripted schema: each run of a step either changes the schema to the next
 * scripted one or fails with the scripted error. (The decisions under test do not need a server;
 * the integration tests run the same paths on PostgreSQL.)
 */
function scripted(
  script: { step: string; schema?: SchemaSnapshot; fail?: { statementsApplied?: number } }[],
  keepGoing = true,
): RoundTripSteps {
  let schema = EMPTY;
  return {
    keepGoing,
    snapshot: async () => schema,
    run: async (migration, _direction, step) => {
      const next = script.shift();
      expect(next?.step).toBe(step);
      if (next?.fail) {
        const error = new MigrationSqlError({ file: migration.fileName, pgMessage: `${step} failed: boom`, sqlState: '42P01' });
        return next.fail.statementsApplied === undefined
          ? error
          : Object.assign(error, { statementsApplied: next.fail.statementsApplied, statementCount: 2 });
      }
      schema = next?.schema ?? schema;
      return undefined;
    },
  };
}

const migration = (header = '') => parseMigration('0001_t.sql', `${header}-- UP\nCREATE TABLE t ();\n-- DOWN\nDROP TABLE t;\n`);

describe('verify: one round trip, and what state it leaves the scratch database in', () => {
  it('a DOWN that fails in its transaction leaves the state after UP: no rebuild needed', async () => {
    const trip = await roundTrip(
      scripted([
        { step: 'UP', schema: WITH_T },
        { step: 'DOWN', fail: {} },
      ]),
      migration(),
      EMPTY,
    );
    expect(trip).toMatchObject({
      applied: true,
      state: WITH_T,
      rebuild: false,
      result: { outcome: 'failed', problems: ['0001_t.sql: DOWN failed: boom (SQLSTATE 42P01)'] },
    });
  });

  it('a no-transaction DOWN that fails after its first statement needs a rebuild, one failing at its first does not', async () => {
    const nt = migration('-- aeturnis:no-transaction\n');
    const half = await roundTrip(
      scripted([
        { step: 'UP', schema: WITH_T },
        { step: 'DOWN', fail: { statementsApplied: 1 } },
      ]),
      nt,
      EMPTY,
    );
    expect(half).toMatchObject({ applied: true, rebuild: true });
    const none = await roundTrip(
      scripted([
        { step: 'UP', schema: WITH_T },
        { step: 'DOWN', fail: { statementsApplied: 0 } },
      ]),
      nt,
      EMPTY,
    );
    expect(none).toMatchObject({ applied: true, rebuild: false, state: WITH_T });
  });

  it('a failed UP is not part of the state; UP failing again after DOWN needs a rebuild', async () => {
    expect(await roundTrip(scripted([{ step: 'UP', fail: {} }]), migration(), EMPTY)).toMatchObject({
      applied: false,
      rebuild: false,
      state: EMPTY,
    });
    const rerun = await roundTrip(
      scripted([
        { step: 'UP', schema: WITH_T },
        { step: 'DOWN', schema: EMPTY },
        { step: 'UP run again after DOWN', fail: {} },
      ]),
      migration(),
      EMPTY,
    );
    expect(rerun).toMatchObject({ applied: true, rebuild: true, result: { outcome: 'failed' } });
  });

  it('without keepGoing a failed step is thrown, as before', async () => {
    await expect(
      roundTrip(
        scripted(
          [
            { step: 'UP', schema: WITH_T },
            { step: 'DOWN', fail: {} },
          ],
          false,
        ),
        migration(),
        EMPTY,
      ),
    ).rejects.toThrow(/DOWN failed: boom/);
  });
});
