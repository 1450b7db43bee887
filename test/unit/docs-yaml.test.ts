import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * The manual's YAML (CI workflows, Kubernetes manifests, compose files) is meant to be pasted as
 * it is: every ```yaml block must parse, and the manifests that are applied together must agree.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pages = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

interface Block {
  page: string;
  line: number;
  text: string;
}

/** Every fenced block tagged yaml or yml, with the line its text starts on. */
function yamlBlocks(page: string): Block[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  let open: { line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    if (open) {
      if (/^\s*```\s*$/.test(line)) {
        blocks.push({ page, line: open.line, text: open.body.join('\n') });
        open = undefined;
      } else open.body.push(line);
    } else if (/^\s*```ya?ml\s*$/i.test(line)) open = { line: index + 2, body: [] };
  });
  return blocks;
}

const blocks = pages.flatMap(yamlBlocks);

/** Every value found under a key named `key`, anywhere in a parsed document. */
function valuesUnder(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesUnder(item, key));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([name, value]) => [...(name === key ? [value] : []), ...valuesUnder(value, key)]);
}

describe('YAML in docs/', () => {
  it('has blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(3);
  });

  it.each(blocks.map((block) => [`${block.page}:${block.line}`, block] as const))('%s parses', (_where, block) => {
    const errors = parseAllDocuments(block.text).flatMap((document) => document.errors.map((error) => error.message));
    expect(errors).toEqual([]);
  });

  it('every secretKeyRef names a key that a Secret in the docs defines', () => {
    const documents = blocks.flatMap((block) => parseAllDocuments(block.text).map((document) => document.toJS() as unknown));
    const secrets = documents.filter(
      (document): document is { kind: string; metadata: { name: string }; stringData?: object; data?: object } =>
        typeof document === 'object' && document !== null && (document as { kind?: unknown }).kind === 'Secret',
    );
    const defined = new Set(
      secrets.flatMap((secret) => Object.keys({ ...secret.stringData, ...secret.data }).map((key) => `${secret.metadata.name}/${key}`)),
    );
    const used = valuesUnder(documents, 'secretKeyRef') as { name: string; key: string }[];
    expect(used.length).toBeGreaterThan(0);
    expect(used.map((ref) => `${ref.name}/${ref.key}`).filter((ref) => !defined.has(ref))).toEqual([]);
  });

  it('every image is pinned to a tag', () => {
    const images = blocks.flatMap((block) =>
      [...block.text.matchAll(/^\s*(?:-\s*)?image:\s*["']?([^"'\s#]+)/gm)].map((match) => match[1] ?? ''),
    );
    expect(images.filter((image) => !/:[\w.-]+$/.test(image.replace(/^[^/]*:\d+\//, '')))).toEqual([]);
  });
});
