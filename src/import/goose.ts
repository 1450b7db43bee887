import { convertText, isCommentOrBlank, markerLookalike, nameOrDefault, toLines } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** goose takes `<version>_<name>.sql` and `.go` files; others (helpers.go) it skips (NumericComponent). */
const FILE_NAME = /^(\d+)_(.*)\.(sql|go)$/;

/** goose's annotations (sqlparser/parser.go), matched without regard to case. */
const ANNOTATIONS = ['up', 'down', 'statementbegin', 'statementend', 'no transaction', 'envsub on', 'envsub off'] as const;
type Annotation = (typeof ANNOTATIONS)[number];

type Part = 'header' | 'up' | 'down';

/** A goose SQL file read line by line: its sections without the `-- +goose` lines. */
interface GooseSections {
  header: string;
  up: string;
  down: string | undefined;
  noTransaction: boolean;
  statementBlocks: number;
}

/**
 * Converts a goose migrations directory: `00001_create_users.sql` with `-- +goose Up` /
 * `-- +goose Down`. `-- +goose NO TRANSACTION` becomes `-- aeturnis:no-transaction`; the
 * `StatementBegin` / `StatementEnd` lines vanish (aeturnis-db splits statements itself, dollar
 * quotes included), the SQL between them stays as it is. Go migrations cannot be converted.
 */
export function convertGoose(files: readonly SourceFile[]): ToolConversion {
  const result: ToolConversion = { migrations: [], problems: [], ignored: [] };
  const found: { file: SourceFile; version: bigint; digits: string; name: string; go: boolean }[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file.path);
    if (!match || file.path.endsWith('_test.go') || BigInt(match[1] as string) < 1n) {
      result.ignored.push(file.path);
      continue;
    }
    const digits = match[1] as string;
    found.push({ file, version: BigInt(digits), digits, name: match[2] as string, go: match[3] === 'go' });
  }
  found.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  for (const { file, digits, name, go } of found) {
    if (go) {
      result.problems.push({ file: file.path, reason: 'a goose Go migration: only SQL migrations can be converted (rewrite it in SQL)' });
      continue;
    }
    convertText(result, file, (text) => convertFile(file.path, text, digits, name));
  }
  return result;
}

function convertFile(path: string, text: string, digits: string, name: string): SourceMigration | ImportProblem {
  const lookalike = markerLookalike(path, text, 1);
  if (lookalike) return lookalike;
  const sections = readSections(path, text);
  if ('reason' in sections) return sections;
  const notes: string[] = [];
  if (sections.statementBlocks > 0) notes.push('StatementBegin/End lines removed, the SQL between them kept');
  return {
    sourceVersion: digits,
    versionDigits: digits,
    name: nameOrDefault(name),
    sources: [path],
    header: sections.header,
    up: sections.up,
    down: sections.down,
    noTransaction: sections.noTransaction,
    notes,
  };
}

function readSections(path: string, text: string): GooseSections | ImportProblem {
  const lines = toLines(text);
  if (!lines.some((line) => annotationOf(line) === 'up')) return { file: path, reason: 'no "-- +goose Up" annotation: the UP is missing' };
  const sections: GooseSections = { header: '', up: '', down: undefined, noTransaction: false, statementBlocks: 0 };
  let part: Part = 'header';
  let inBlock = false;
  const problem = (line: number, reason: string): ImportProblem => ({ file: path, reason: `line ${line}: ${reason}` });
  for (const [index, line] of lines.entries()) {
    const annotation = annotationOf(line);
    if (annotation === undefined) {
      if (part === 'header' && !isCommentOrBlank(line)) return problem(index + 1, 'SQL before "-- +goose Up" (goose refuses it too)');
      if (part === 'down') sections.down += `${line}\n`;
      else sections[part] += `${line}\n`;
      continue;
    }
    switch (annotation) {
      case 'up':
        if (part !== 'header') return problem(index + 1, 'a second "-- +goose Up"');
        part = 'up';
        break;
      case 'down':
        if (part !== 'up') return problem(index + 1, `"-- +goose Down" ${part === 'header' ? 'before "-- +goose Up"' : 'twice'}`);
        if (inBlock) return problem(index + 1, '"-- +goose Down" inside a StatementBegin/End block');
        part = 'down';
        sections.down = '';
        break;
      case 'statementbegin':
      case 'statementend':
        if (part === 'header') return problem(index + 1, `"${line.trim()}" before "-- +goose Up"`);
        if ((annotation === 'statementbegin') === inBlock) return problem(index + 1, `"${line.trim()}" without its pair`);
        inBlock = !inBlock;
        if (!inBlock) sections.statementBlocks++;
        break;
      case 'no transaction':
        sections.noTransaction = true;
        break;
      case 'envsub on':
        return problem(
          index + 1,
          'ENVSUB ON: goose puts environment variables into this SQL, aeturnis-db does not (write the values in, then import)',
        );
      case 'envsub off':
        break;
      case 'unknown':
        return problem(index + 1, `unknown goose annotation "${line.trim()}" (goose refuses it too)`);
    }
  }
  if (inBlock) return { file: path, reason: '"-- +goose StatementBegin" without "-- +goose StatementEnd"' };
  return sections;
}

/**
 * The goose annotation on a line (`-- +goose Up`, any case), `'unknown'` for a `-- +goose`
 * line goose does not know either, undefined for every other line.
 */
function annotationOf(line: string): Annotation | 'unknown' | undefined {
  if (!line.trim().startsWith('--') || !line.includes('+goose')) return undefined;
  const command = line.replaceAll('--', '').replace('+goose', '').trim().replace(/\s+/g, ' ').toLowerCase();
  return ANNOTATIONS.find((known) => known === command) ?? 'unknown';
}
