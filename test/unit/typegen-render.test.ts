import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { CatalogColumn, CatalogModel, CatalogRelation, CatalogType } from '../../src/typegen/model.js';
import { pascalCase, uniqueNames } from '../../src/typegen/naming.js';
import { renderDeclarations } from '../../src/typegen/render.js';

// Built-in type OIDs, as in pg_type.
const TEXT = 25;
const INT4 = 23;
const INT8 = 20;
const JSONB = 3802;
const TEXT_ARRAY = 1009;

const builtin = (oid: number, name: string, elementOid?: number): CatalogType => ({
  oid,
  schema: 'pg_catalog',
  name,
  kind: 'b',
  elementOid,
  baseOid: undefined,
  notNull: false,
  labels: [],
});
const BUILTINS = [
  builtin(TEXT, 'text'),
  builtin(INT4, 'int4'),
  builtin(INT8, 'int8'),
  builtin(JSONB, 'jsonb'),
  builtin(TEXT_ARRAY, '_text', TEXT),
  builtin(1186, 'interval'),
];

const column = (name: string, typeOid: number, more: Partial<CatalogColumn> = {}): CatalogColumn => ({
  name,
  typeOid,
  notNull: true,
  generated: false,
  generatedAlways: false,
  ...more,
});
const table = (name: string, columns: CatalogColumn[], more: Partial<CatalogRelation> = {}): CatalogRelation => ({
  schema: 'public',
  name,
  kind: 'table',
  columns,
  ...more,
});
const model = (relations: CatalogRelation[], types: CatalogType[] = []): CatalogModel => ({
  relations,
  types: new Map([...BUILTINS, ...types].map((type) => [type.oid, type])),
});
/** The lines of one exported declaration. */
const declaration = (source: string, name: string): string => {
  const start = source.indexOf(`export interface ${name} {`);
  return start < 0 ? '' : source.slice(start, source.indexOf('\n}', start) + 2);
};

describe('types: generating declarations from the catalog model', () => {
  it('writes one interface per table, a property per column in column order, nullable as T | null', () => {
    const { source, tables } = renderDeclarations(
      model([table('user_sessions', [column('id', INT4), column('user_agent', TEXT, { notNull: false }), column('counter', INT8)])]),
    );
    expect(tables).toBe(1);
    expect(declaration(source, 'UserSessions')).toBe(
      'export interface UserSessions {\n  id: number;\n  user_agent: string | null;\n  counter: string;\n}',
    );
    expect(source).toContain('export interface Database {\n  user_sessions: UserSessions;\n}');
  });

  it('marks defaults and identities Generated<T>, GENERATED ALWAYS GeneratedAlways<T>, and declares only the helpers used', () => {
    const { source } = renderDeclarations(
      model([
        table('t', [
          column('id', INT4, { generated: true, generatedAlways: true }),
          column('note', TEXT, { generated: true, notNull: false }),
        ]),
      ]),
    );
    expect(declaration(source, 'T')).toContain('  id: GeneratedAlways<number>;\n  note: Generated<string | null>;');
    expect(source).toContain('export type ColumnType<SelectType, InsertType = SelectType, UpdateType = SelectType> = {');
    expect(source).not.toContain('JsonValue');
    expect(renderDeclarations(model([table('t', [column('id', INT4)])])).source).not.toContain('ColumnType');
  });

  it('declares enums as exported unions used by their columns, arrays as T[], domains as their base type', () => {
    const mood: CatalogType = {
      oid: 20001,
      schema: 'public',
      name: 'mood',
      kind: 'e',
      elementOid: undefined,
      baseOid: undefined,
      notNull: false,
      labels: ['happy', 'it\'s "ok"'],
    };
    const moodArray: CatalogType = { ...builtin(20002, '_mood', 20001), schema: 'public' };
    const email: CatalogType = {
      oid: 20003,
      schema: 'public',
      name: 'email',
      kind: 'd',
      elementOid: undefined,
      baseOid: TEXT,
      notNull: true,
      labels: [],
    };
    const { source, enums } = renderDeclarations(
      model(
        [
          table('people', [
            column('mood', 20001, { notNull: false }),
            column('moods', 20002),
            column('email', 20003, { notNull: false }),
            column('tags', TEXT_ARRAY),
          ]),
        ],
        [mood, moodArray, email],
      ),
    );
    expect(enums).toBe(1);
    expect(source).toContain('export type Mood = "happy" | "it\'s \\"ok\\"";');
    const people = declaration(source, 'People');
    expect(people).toContain('  mood: Mood | null;\n');
    expect(people).toContain(
      "  /** mood[]: node-pg returns this array as text ('{a,b}') unless a type parser is registered for it */\n  moods: Mood[];",
    );
    expect(people).toContain('  email: string;\n'); // the domain is NOT NULL
    expect(people).toContain('  tags: string[];\n');
  });

  it('declares views read-only, keys tables outside public as "schema.table", and names them with their schema', () => {
    const { source, views } = renderDeclarations(
      model([
        table('users', [column('id', INT4)], { schema: 'app' }),
        table('active', [column('id', INT4, { notNull: false, generated: true })], { kind: 'view' }),
      ]),
    );
    expect(views).toBe(1);
    expect(declaration(source, 'Active')).toBe('export interface Active {\n  readonly id: number | null;\n}');
    expect(source).toContain('export interface Database {\n  active: Active;\n  "app.users": AppUsers;\n}');
  });

  it('is the same text whatever order the catalog returned things in, sorted by Database key', () => {
    const a = table('b_table', [column('x', JSONB)]);
    const b = table('a_table', [column('"odd name"', INT4)]);
    const first = renderDeclarations(model([a, b])).source;
    expect(renderDeclarations(model([b, a])).source).toBe(first);
    expect(first.indexOf('interface ATable')).toBeLessThan(first.indexOf('interface BTable'));
    expect(first).toContain('  "\\"odd name\\"": number;');
    expect(first).toContain('export type JsonValue = JsonArray | JsonObject | JsonPrimitive;');
  });

  it('says why int8/numeric are strings, and declares unmapped types unknown with a note', () => {
    const { source } = renderDeclarations(model([table('t', [column('big', INT8), column('wait', 1186)])]));
    expect(source).toContain('// bigint, numeric and money columns are typed string');
    expect(declaration(source, 'T')).toContain('  /** interval: no TypeScript mapping, declared unknown */\n  wait: unknown;');
    expect(renderDeclarations(model([table('t', [column('id', INT4)])])).source).not.toContain('bigint, numeric');
  });

  it('keeps names unique and clear of the names the file declares', () => {
    expect(pascalCase('user_sessions')).toBe('UserSessions');
    expect(pascalCase('2fa codes')).toBe('_2faCodes');
    expect(uniqueNames(['Users', 'Users', 'Database', 'Date'])).toEqual(['Users', 'Users2', 'Database2', 'Date2']);
    const { source } = renderDeclarations(
      model([table('users', [column('id', INT4)], { schema: 'app' }), table('app_users', [column('id', INT4)])]),
    );
    expect(source).toContain('  "app.users": AppUsers;\n  app_users: AppUsers2;');
  });

  it('a hostile name stays a name: no comment or string ends early, the file compiles to no code, the names read back intact', () => {
    const evil = (n: number) => `*/ globalThis.pwned = ${n}; /*`;
    const labels = [evil(1), 'it\'s "q" \\', 'line\nbreak', 'sep\u2028', '${globalThis.pwned}'];
    const mood: CatalogType = { ...builtin(16400, `mood ${evil(2)}`), kind: 'e', schema: `s ${evil(3)}`, labels };
    const composite: CatalogType = { ...builtin(16401, `c ${evil(4)}`), kind: 'c', schema: 'public' };
    const columns = [column(`a ${evil(5)}`, 16400), column('b"\\\n\u2029', TEXT), column('c', 16401)];
    const tables = [table(`x ${evil(6)}`, columns), table(`y ${evil(7)}`, [column('id', INT4)], { schema: `s ${evil(3)}` })];
    const { source } = renderDeclarations(model(tables, [mood, composite]));
    const js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true },
    });
    expect(js.outputText.trim()).toBe('export {};');
    const file = ts.createSourceFile('db.ts', source, ts.ScriptTarget.ES2022);
    const keys = new Map<string, string[]>();
    const literals: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isInterfaceDeclaration(node))
        keys.set(
          node.name.text,
          node.members.map((member) =>
            member.name && ts.isStringLiteral(member.name) ? member.name.text : (member.name?.getText(file) ?? ''),
          ),
        );
      if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) literals.push(node.literal.text);
      ts.forEachChild(node, visit);
    };
    visit(file);
    expect(literals).toEqual(labels);
    expect(keys.get('Database')).toEqual([`s ${evil(3)}.y ${evil(7)}`, `x ${evil(6)}`]);
    expect(keys.get('XGlobalThisPwned6')).toEqual(columns.map((c) => c.name));
    expect(source.split('\n').every((line) => !/[\r\u2028\u2029]/.test(line))).toBe(true);
  });
});
