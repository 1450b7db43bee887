import { join } from 'node:path';
import { migrationChecksum, normalizeMigrationText } from './checksum.js';
import { listDirectory, readUtf8 } from './discover.js';
import type { Migration } from './parse.js';

/**
 * Reads `<dir>/*.sql` in name order as seeds: whole files of SQL (no sections, no journal),
 * shaped like migrations so the same runner applies them — each in its own transaction, with the
 * same error locations and interruption handling.
 */
export function loadSeeds(dir: string): Migration[] {
  const files = listDirectory(dir, 'seeds directory', '--seeds-dir or AETURNIS_SEEDS_DIR').filter((f) => f.toLowerCase().endsWith('.sql'));
  return files.flatMap((fileName, index) => {
    const text = readUtf8(join(dir, fileName), fileName);
    if (text === undefined) return [];
    return [
      {
        version: index + 1,
        name: fileName.replace(/\.sql$/i, ''),
        fileName,
        checksum: migrationChecksum(text),
        up: { sql: normalizeMigrationText(text), startLine: 1 },
        down: undefined,
        noTransaction: false,
        nothingToUndo: false,
        irreversible: true,
      },
    ];
  });
}
