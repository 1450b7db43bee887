import { parseMigration } from '../migrations/parse.js';
import { isBlankSql } from './sql-text.js';
import type { ImportProblem, ImportTool } from './types.js';
import type { VersionedMigration } from './versions.js';

/** What a converted migration's DOWN is. */
export type DownKind = 'sql' | 'nothing-to-undo' | 'irreversible';

/**
 * The aeturnis-db file for a converted migration: a line naming its source, the source's
 * header comments, `-- aeturnis:no-transaction` when it runs without one (with `up` or `down`
 * when only that section does), `-- UP`, the UP, and
 * (unless the source has no down) `-- DOWN` with the DOWN, or `-- aeturnis:nothing-to-undo` for
 * an empty one. The same migration always gives the same bytes.
 */
export function renderMigration(tool: ImportTool, migration: VersionedMigration): string {
  let text = `-- Imported from ${tool}: ${migration.sources.join(' + ')}\n`;
  text += withFinalNewline(migration.header);
  if (migration.noTransaction) text += '-- aeturnis:no-transaction\n';
  else if (migration.noTransactionSection) text += `-- aeturnis:no-transaction ${migration.noTransactionSection}\n`;
  text += `-- UP\n${withFinalNewline(migration.up)}`;
  if (migration.down !== undefined) {
    if (!text.endsWith('\n\n')) text += '\n'; // a blank line between the sections, as people write them
    text += '-- DOWN\n';
    if (isBlankSql(migration.down)) text += '-- aeturnis:nothing-to-undo\n';
    if (migration.down.trim() !== '') text += withFinalNewline(migration.down);
  }
  return text;
}

/**
 * How the migration's DOWN converts.
 */
export function downKind(migration: Pick<VersionedMigration, 'down'>): DownKind {
  if (migration.down === undefined) return 'irreversible';
  return isBlankSql(migration.down) ? 'nothing-to-undo' : 'sql';
}

/**
 * Reads a rendered file back as aeturnis-db will: the problem when it does not parse, or
 * parses to something else than was meant (a source comment that reads as a directive).
 */
export function readBackProblem(migration: VersionedMigration, text: string): ImportProblem | undefined {
  const file = migration.sources[0] as string;
  try {
    const parsed = parseMigration(migration.fileName, text);
    const kind = downKind(migration);
    const parsedKind: DownKind = parsed.irreversible ? 'irreversible' : parsed.nothingToUndo ? 'nothing-to-undo' : 'sql';
    const sectionChanged =
      (parsed.noTransactionSection ?? undefined) !== (migration.noTransaction ? undefined : migration.noTransactionSection);
    if (parsed.noTransaction !== migration.noTransaction || sectionChanged || parsedKind !== kind) {
      return {
        file,
        reason: `its comments hold an aeturnis-db directive (-- aeturnis:...) that would change how ${migration.fileName} runs: reword them`,
      };
    }
    return undefined;
  } catch (error) {
    return { file, reason: `converted, it would not be a valid aeturnis-db migration: ${(error as Error).message}` };
  }
}

function withFinalNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
