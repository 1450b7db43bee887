import { UsageError } from '../errors.js';

/**
 * Starts the embedded database in `dir` and returns a URL for it. Placeholder until the
 * embedded PostgreSQL lands: with no connection configured, say how to configure one.
 */
export async function startEmbedded(_dir: string, _signal?: AbortSignal): Promise<{ url: string; stop(): Promise<void> }> {
  throw new UsageError(
    'no database configured: set DATABASE_URL, pass --database-url, or set PGHOST/PGUSER/PGDATABASE',
  );
}
