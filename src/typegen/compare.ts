/**
 * `types --check`: what differs between a declarations file and what the schema generates,
 * said by declaration and property (the file is read in the format render.ts writes).
 */

/** One exported declaration of a generated file. */
interface Declaration {
  /** Property name → type text (`readonly ` kept), in file order; empty for a type alias. */
  members: Map<string, string>;
  /** The declaration's lines without comments, to compare type aliases. */
  text: string;
}

const DECLARATION = /^export (interface|type) ([\p{L}\p{N}_$]+)/u;
const MEMBER = /^\s+((?:readonly\s+)?)("(?:[^"\\]|\\.)*"|[\p{L}\p{N}_$]+)\??:\s*(.*?);?\s*$/u;

/**
 * The declarations of a file: `export interface X { ... }` and `export type X = ...;` blocks. Pure.
 */
function parseDeclarations(text: string): Map<string, Declaration> {
  const declarations = new Map<string, Declaration>();
  let current: { name: string; interface: boolean; lines: string[]; members: Map<string, string>; depth: number } | undefined;
  for (const line of text.split('\n')) {
    if (!current) {
      const start = DECLARATION.exec(line);
      if (!start?.[2]) continue;
      current = { name: start[2], interface: start[1] === 'interface', lines: [], members: new Map(), depth: 0 };
    }
    const trimmed = line.trim();
    if (trimmed.startsWith('/**') || trimmed.startsWith('//')) continue;
    current.lines.push(trimmed);
    const member = current.interface && current.lines.length > 1 ? MEMBER.exec(line) : null;
    if (member?.[2] !== undefined) current.members.set(member[2], `${member[1] ?? ''}${member[3] ?? ''}`);
    const code = trimmed.replace(/"(?:[^"\\]|\\.)*"/g, '""'); // braces in a string literal do not nest
    current.depth += (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0);
    const ended = current.interface ? current.depth <= 0 : current.depth <= 0 && /;\s*$/.test(trimmed);
    if (ended) {
      declarations.set(current.name, { members: current.members, text: current.lines.join('\n') });
      current = undefined;
    }
  }
  return declarations;
}

/**
 * What differs between `fileText` and the `generated` text, one short phrase each, in the
 * generated file's order; empty when they are the same (line endings aside: a CRLF checkout is
 * not a difference). Pure.
 */
export function describeDifferences(fileText: string, generated: string): string[] {
  const file = fileText.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (file === generated) return [];
  const inFile = parseDeclarations(file);
  const inSchema = parseDeclarations(generated);
  const differences: string[] = [];
  for (const [name, wanted] of inSchema) {
    const found = inFile.get(name);
    if (!found) differences.push(`${name} is missing`);
    else differences.push(...declarationDifferences(name, found, wanted));
  }
  for (const name of inFile.keys()) if (!inSchema.has(name)) differences.push(`${name} is not in the schema`);
  if (differences.length === 0) differences.push(`the text differs from line ${firstDifferentLine(file, generated)}`);
  return differences;
}

function declarationDifferences(name: string, found: Declaration, wanted: Declaration): string[] {
  if (wanted.members.size === 0 && found.members.size === 0) return found.text === wanted.text ? [] : [`${name} differs`];
  const differences: string[] = [];
  for (const [member, type] of wanted.members) {
    const fileType = found.members.get(member);
    if (fileType === undefined) differences.push(`${name}.${member} is missing`);
    else if (fileType !== type) differences.push(`${name}.${member} is ${fileType} in the file, ${type} in the schema`);
  }
  for (const member of found.members.keys()) if (!wanted.members.has(member)) differences.push(`${name}.${member} is not in the schema`);
  if (differences.length === 0 && [...found.members.keys()].join() !== [...wanted.members.keys()].join()) {
    differences.push(`${name} has its properties in another order`);
  }
  return differences;
}

function firstDifferentLine(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  let index = 0;
  while (index < left.length && index < right.length && left[index] === right[index]) index += 1;
  return index + 1;
}

/** How many differences the one-line summary names before "and N more". */
const SHOWN = 3;

/**
 * The one-line summary `--check` prints.
 */
export function summarizeDifferences(file: string, differences: readonly string[]): string {
  const shown = differences.slice(0, SHOWN).join('; ');
  const more = differences.length > SHOWN ? `; and ${differences.length - SHOWN} more` : '';
  return `${file} is out of date with the schema: ${shown}${more} (regenerate it with aeturnis-db types --out ${file})`;
}
