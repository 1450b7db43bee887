// The README's configuration table and settings.ts must agree: a variable documented there is
// one aeturnis-db reads, and every variable it reads is documented there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTING_VARIABLES } from '../../src/settings.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const VARIABLE = /\b(AETURNIS_[A-Z_]*[A-Z]|DATABASE_URL|NODE_ENV|JOB_COMPLETION_INDEX|PG[A-Z]+)\b/g;

/** The section "## Configuration", up to the next second-level heading. */
function configurationSection(markdown: string): string {
  const start = markdown.search(/^## Configuration\s*$/m);
  if (start < 0) throw new Error('README.md has no "## Configuration" section');
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The variables named in the first column of the section's tables (`--flag` / `ENV_VAR`). */
function documentedVariables(section: string): Set<string> {
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.trim().startsWith('|')) continue;
    const firstCell = line.trim().split(/(?<!\\)\|/)[1] ?? ''; // `human\|json` is one cell
    for (const match of firstCell.matchAll(VARIABLE)) names.add(match[1] as string);
  }
  return names;
}

describe("README's configuration table", () => {
  const documented = documentedVariables(configurationSection(README));

  it('documents only variables aeturnis-db reads', () => {
    expect([...documented].filter((name) => !SETTING_VARIABLES.includes(name)).sort()).toEqual([]);
  });

  it('documents every variable aeturnis-db reads', () => {
    expect(SETTING_VARIABLES.filter((name) => !documented.has(name)).sort()).toEqual([]);
  });
});
