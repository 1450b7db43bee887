import type pg from 'pg';

/**
 * Runs `work` in one transaction: committed when it returns, rolled back when it throws. A dry
 * run reads in a READ ONLY transaction (one consistent snapshot) and always rolls back.
 */
export async function inTransaction<T>(client: pg.ClientBase, dryRun: boolean, work: () => Promise<T>): Promise<T> {
  await client.query(dryRun ? 'BEGIN READ ONLY' : 'BEGIN');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
  return result;
}
