import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Migration } from '../migrations/parse.js';
import type { LocalMigration } from './plan.js';
import { readImportHeader } from './provenance.js';

/** The header is the first line: this many bytes always hold it (source paths are short). */
const HEAD_BYTES = 4096;

/**
 * Each migration with the import header its file starts with (read again, first line only: the
 * parsed migration keeps no header text).
 */
export function withImportHeaders(dir: string, migrations: readonly Migration[]): LocalMigration[] {
  return migrations.map((migration) => ({ migration, importedFrom: readImportHeader(firstLine(join(dir, migration.fileName))) }));
}

function firstLine(path: string): string {
  const buffer = Buffer.alloc(HEAD_BYTES);
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n', 1)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}
