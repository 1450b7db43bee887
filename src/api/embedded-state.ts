import type { CommandConnection } from './scope.js';
import type { CommonOptions } from './options.js';

/**
 * The embedded database's directory when the command's connection (resolved once, see
 * resolveCommandConnection) is the embedded database and it holds no database yet, else
 * undefined. Read-only commands then report the empty state instead of creating a database
 * (CONTRACT: commands that only read never create one). A connection setting that is wrong
 * gives undefined here: the session reports it, in its usual order with the file errors.
 */
export async function absentEmbeddedDatabase(options: CommonOptions, connection: CommandConnection): Promise<string | undefined> {
  if (!connection.ok || connection.connection.kind !== 'embedded') return undefined;
  const env = options.env ?? process.env;
  // Lazy, as in openSession: the embedded module loads only when it may be used.
  const { embeddedDirOf, assertEmbeddedInstalled, checkEmbeddedDirectory, embeddedDatabaseExists } = await import(
    '../embedded/database.js'
  );
  // Refused as starting it would be: not installed, a file, someone's data.
  assertEmbeddedInstalled();
  const dir = embeddedDirOf(options.embeddedDir, env);
  checkEmbeddedDirectory(dir);
  return embeddedDatabaseExists(dir) ? undefined : dir;
}
