/**
 * Which objects a reset's drop would reach outside what it drops, decided from the pg_depend walk.
 */
import { describe, expect, it } from 'vitest';
import { objectsOutside, type ReachedObject } from '../../src/reset/walk.js';

const object = (key: string, fields: Partial<ReachedObject> = {}): ReachedObject => ({
  key,
  subid: 0,
  schema: null,
  droppedSchema: false,
  owners: [],
  autoOwners: [],
  member: false,
  address: key,
  ...fields,
});
const keys = (objects: ReachedObject[]) => objects.map((o) => (o.subid ? `${o.key}.${o.subid}` : o.key));

describe('objectsOutside', () => {
  const publicSchema = object('ns:public', { droppedSchema: true });
  const items = object('class:items', { schema: 'public', address: 'table public.items' });
  const scope = { schemas: ['public'], madeSince: [], starting: undefined };

  it('accepts what lives in a dropped schema and what belongs only to it (index, trigger, RI trigger on a kept table)', () => {
    const reached = [
      publicSchema,
      items,
      object('index:items_pkey', { owners: ['constraint:pkey'] }),
      object('constraint:pkey', { autoOwners: ['class:items'] }),
      object('trigger:audit', { autoOwners: ['class:items'] }),
      object('trigger:ri_on_kept_users', { owners: ['constraint:fk_to_kept'] }),
      object('constraint:fk_to_kept', { autoOwners: ['class:items'] }),
    ];
    expect(objectsOutside(reached, scope)).toEqual([]);
  });

  it('refuses a kept schema object, an object of no schema with an owner outside, a view whose rule is reached, a kept table column', () => {
    const reached = [
      publicSchema,
      items,
      object('stat:ops.s', { schema: 'ops', autoOwners: ['class:items'] }),
      object('cast:mood_text'),
      object('pubrel:items', { autoOwners: ['class:items', 'publication:pub'] }),
      object('rule:_RETURN', { owners: ['class:keep.v'] }),
      object('class:keep.t', { subid: 2 }),
    ];
    expect(keys(objectsOutside(reached, scope))).toEqual([
      'stat:ops.s',
      'cast:mood_text',
      'pubrel:items',
      'rule:_RETURN',
      'class:keep.t.2',
    ]);
  });

  it('in a schema that existed before the first migration, accepts only what was made since, and members of a new extension', () => {
    const kept = new Map([['extensions', new Set(['extension citext'])]]);
    const made = {
      classid: '1',
      objid: '2',
      schema: 'extensions',
      address: 'table extensions.made_here',
      type: 'table',
      identity: 'x',
      member: false,
    };
    const reached = [
      object('class:made_here', { schema: 'extensions', address: 'table extensions.made_here' }),
      object('ext:citext', { schema: 'extensions', address: 'extension citext' }),
      object('proc:citext_in', { schema: 'extensions', member: true, owners: ['ext:citext'] }),
    ];
    expect(keys(objectsOutside(reached, { schemas: [], madeSince: [made], starting: kept }))).toEqual(['ext:citext', 'proc:citext_in']);
  });
});
