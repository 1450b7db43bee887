import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link of the front page, CONTRIBUTING.md, the manual and bench/README.md must
 * lead somewhere: to a file that exists and, with `#anchor`, to a heading of that file as GitHub
 * slugs it. A reader following the README should never land on a 404 or the top of a page.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const docs = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const pages = ['README.md', 'CONTRIBUTING.md', 'bench/README.md', ...docs];

/** The lines of a markdown file that are prose (not inside a ``` or ~~~ fence). */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's anchor for a heading: markup dropped, lower case, punctuation gone, spaces to '-'. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
}

/** Every anchor a file offers: its headings' slugs, a repeated one numbered as GitHub does. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const slug = githubSlug(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The link targets of a file's prose, code spans left out (a `[x](y)` in code is not a link). */
function linksOf(text: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (match[1]) targets.push(match[1]);
    }
  }
  return targets;
}

/** What is wrong with one relative link of `page`, or undefined when it resolves. */
function problemOf(page: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURIComponent(path));
  if (!existsSync(file)) return `${page}: ${target}: no such file ${relative(root, file)}`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${page}: ${target}: an anchor into a file that has no headings`;
  if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) return `${page}: ${target}: no heading with anchor #${anchor}`;
  return undefined;
}

describe('links in the docs', () => {
  it('checks the front page, CONTRIBUTING.md, bench/README.md and every page of docs/', () => {
    for (const page of pages) expect(existsSync(join(root, page)), page).toBe(true);
    expect(docs.length).toBeGreaterThan(10);
  });

  it.each(pages)('every relative link and #anchor in %s resolves', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    const relativeLinks = linksOf(text).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    const problems = relativeLinks.map((target) => problemOf(page, target)).filter((problem) => problem !== undefined);
    expect(problems).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(githubSlug('verify: prove every DOWN undoes its UP')).toBe('verify-prove-every-down-undoes-its-up');
    expect(githubSlug('Adopting the database: `adopt --from TOOL`')).toBe('adopting-the-database-adopt---from-tool');
    expect(githubSlug('TLS (sslmode)')).toBe('tls-sslmode');
    expect(githubSlug('audit_log partitions')).toBe('audit_log-partitions');
  });
});

describe('the front page', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('is at most 25 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(25 * 1024);
  });

  it('lists every one of its sections in its table of contents', () => {
    const sections = proseLines(readme)
      .filter((line) => line.startsWith('## '))
      .map((line) => githubSlug(line.slice(3)));
    const contents = new Set(
      linksOf(readme)
        .filter((target) => target.startsWith('#'))
        .map((target) => target.slice(1)),
    );
    expect(sections.filter((section) => !contents.has(section))).toEqual([]);
  });
});
