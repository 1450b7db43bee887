import type pg from 'pg';
import { DatabaseError, ValidationError } from '../errors.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { readSchemaStates } from './reset-catalog.js';
import { dropSql, restoreStatements, schemaDifferences, type ResetPlan } from './reset-plan.js';
import type { StartingSchemas } from '../journal/metadata.js';
import { assertDropStaysInside, objectsMadeSince } from './reset-walk.js';

/**
 * Drops the plan's schemas with everything in them, and in the schemas it keeps the objects made
 * since the first migration, and creates again the schemas it says, in ONE transaction. Before
 * dropping, a walk of pg_depend (db/reset-walk.ts) proves the drop reaches nothing else (DROP
 * ... CASCADE follows dependencies anywhere: a view elsewhere over a dropped table, a cast, an
 * event trigger); after it, every re-created schema must be exactly as it was. Otherwise it
 * rolls back and refuses (exit 3): nothing changed.
 */
export async function dropSchemas(client: pg.ClientBase, plan: ResetPlan, starting: StartingSchemas | undefined): Promise<void> {
  if (plan.drop.length === 0 && plan.keep.length === 0) return;
  await client.query('BEGIN');
  try {
    const madeSince = starting ? await objectsMadeSince(client, plan.keep, starting) : [];
    await assertDropStaysInside(client, { schemas: plan.drop, madeSince, starting }, dropped(plan));
    try {
      await client.query([...dropSql(plan, madeSince), ...plan.recreate.flatMap(restoreStatements)].join(';\n'));
    } catch (error) {
      throw dropFailure(plan, error);
    }
    await assertRestored(client, plan);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** What the plan drops, for messages. */
function dropped(plan: ResetPlan): string {
  const kept = plan.keep.length === 0 ? '' : `what the migrations made in ${schemaList(plan.keep)}`;
  if (plan.drop.length === 0) return kept;
  return kept ? `${schemaList(plan.drop)} and ${kept}` : schemaList(plan.drop);
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
    new DatabaseError(`reset could not drop and re-create ${dropped(plan)}: ${pgError.message}; nothing was changed`, pgError.code),
    { cause: error },
  );
}

function schemaList(names: readonly string[]): string {
  return `${names.length === 1 ? 'schema' : 'schemas'} ${names.join(', ')}`;
}
