import { createHash } from 'node:crypto';

const UTF8_BOM = '\uFEFF';

/**
 * Normalises migration text the way the checksum sees it: a leading UTF-8 BOM removed and
 * CRLF turned into LF, so a checkout with other line endings is not "modified".
 */
export function normalizeMigrationText(text: string): string {
  const withoutBom = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  return withoutBom.includes('\r\n') ? withoutBom.replace(/\r\n/g, '\n') : withoutBom;
}

/**
 * SHA-256 (hex) of a migration file's text after {@link normalizeMigrationText}.
 *
 * @example
 * migrationChecksum('-- UP\r\nSELECT 1;') === migrationChecksum('-- UP\nSELECT 1;') // true
 */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(normalizeMigrationText(text), 'utf8').digest('hex');
}
