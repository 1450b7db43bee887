import type pg from 'pg';
import { DatabaseError, ValidationError } from '../errors.js';
import { pgErrorOf } from './pg-error.js';
import { keptObjects, lostObjects, readSchemaStates } from './reset-catalog.js';
import { dropSql, restoreStatements, schemaDifferences, type ResetPlan } from './reset-plan.js';

/**
 * Drops the plan's schemas with everything in them and creates again the ones it says, in ONE
 * transaction that commits only when nothing outside those schemas went with them (DROP ...
 * CASCADE follows dependencies into other schemas: a view elsewhere over a dropped table, a
 * column of a dropped type) and every re-created schema is exactly as it was. Otherwise it rolls
 * back and refuses (exit 3): nothing changed.
 *
 * @example
 * await dropSchemas(client, { drop: ['public'], recreate: [publicState] });
 */
export async function dropSchemas(client: pg.ClientBase, plan: ResetPlan): Promise<void> {
  if (plan.drop.length === 0) return;
  await client.query('BEGIN');
  try {
    const before = await keptObjects(client, plan.drop);
    try {
      await client.query([dropSql(plan), ...plan.recreate.flatMap(restoreStatements)].join(';\n'));
    } catch (error) {
      throw dropFailure(plan, error);
    }
    const after = await keptObjects(client, plan.drop);
    assertNothingElseDropped(plan, lostObjects(before, after));
    await assertRestored(client, plan);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function assertNothingElseDropped(plan: ResetPlan, lost: string[]): void {
  if (lost.length === 0) return;
  const count = lost.length === 1 ? 'an object' : `${lost.length} objects`;
  throw new ValidationError(
    `refusing to reset: dropping ${schemaList(plan.drop)} would also drop ${count} in schemas reset leaves alone (${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', ...' : ''}); nothing was changed — drop ${lost.length === 1 ? 'it' : 'them'} first, or create ${lost.length === 1 ? 'its' : 'their'} schema in a migration`,
    lost,
  );
}

async function assertRestored(client: pg.ClientBase, plan: ResetPlan): Promise<void> {
  const restored = await readSchemaStates(
    client,
    plan.recreate.map((state) => state.name),
  );
  const problems = plan.recreate.flatMap((state) =>
    schemaDifferences(
      state,
      restored.find((candidate) => candidate.name === state.name),
    ).map((difference) => `schema ${state.name}: ${difference}`),
  );
  if (problems.length === 0) return;
  throw new ValidationError(
    `refusing to reset: ${problems.length === 1 ? problems[0] : `${problems.length} differences`} after creating it again (privileges granted by another role than the owner cannot be re-created); nothing was changed`,
    problems,
  );
}

function dropFailure(plan: ResetPlan, error: unknown): unknown {
  const pgError = pgErrorOf(error);
  // A cancelled statement (57014) is an interruption: the caller reports it as one.
  if (!pgError || pgError.code === '57014') return error;
  return Object.assign(
    new DatabaseError(`reset could not drop and re-create ${schemaList(plan.drop)}: ${pgError.message}; nothing was changed`, pgError.code),
    { cause: error },
  );
}

function schemaList(names: readonly string[]): string {
  return `${names.length === 1 ? 'schema' : 'schemas'} ${names.join(', ')}`;
}
