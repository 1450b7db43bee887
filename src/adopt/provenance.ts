/**
 * The first line `import` writes into every converted file, `-- Imported from TOOL: FILE(S)`,
 * read back: it ties a local migration to the source file it came from, whatever version
 * `import --renumber` gave it. Pure.
 */

/** Where a local migration came from. */
export interface ImportHeader {
  tool: string;
  /** The source files, relative to the source directory, the UP's first. */
  sources: string[];
}

const HEADER = /^--\s*Imported from ([a-z-]+):\s*(.+?)\s*$/;

/**
 * The import header of a migration file's first line, or undefined.
 */
export function readImportHeader(firstLine: string): ImportHeader | undefined {
  const match = HEADER.exec(firstLine.replace(/^\uFEFF/, '').replace(/\r$/, ''));
  if (!match) return undefined;
  return { tool: match[1] as string, sources: (match[2] as string).split(' + ') };
}
