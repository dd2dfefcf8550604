import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { defOf, schemaDepth } from '../schema-bounds.fixture';
import { clientExamples, serverExamples, signalDataExamples } from './examples.fixture';
import { MAX_MESSAGE_DEPTH, ProtocolError, clientMessageSchemas, nestsDeeperThan, parseClientMessage, parseServerMessage, serverMessageSchemas } from './index';

/*
 * Every message the server relays or sends is closed: fixed keys, bounded nesting, bounded sizes.
 * The schemas are walked as data, so a new loose object, record or unbounded string anywhere in
 * the protocol fails here before it can carry a payload nested thousands deep.
 */

const typeOf = (schema: z.ZodType) => (defOf(schema).shape?.['type'] as unknown as { value: string }).value;

/** Every variant of a valid message: each example, and each call.signal with each kind of data. */
function variants(examples: Record<string, Record<string, unknown>>): [string, Record<string, unknown>][] {
  return Object.entries(examples).flatMap(([type, example]): [string, Record<string, unknown>][] =>
    type === 'call.signal' || type === 'group.signal' ? signalDataExamples.map((data) => [type, { ...example, data }]) : [[type, example]],
  );
}

/** Paths to every object, array and leaf in `value` (the root is the empty path). */
function pathsIn(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => pathsIn(child, [...prefix, key]))];
}

function withAt(root: unknown, path: readonly (string | number)[], change: (node: unknown) => unknown): unknown {
  if (path.length === 0) return change(root);
  const [head, ...rest] = path;
  if (Array.isArray(root)) return (root as unknown[]).map((item, index) => (index === head ? withAt(item, rest, change) : item));
  const record = root as Record<string, unknown>;
  return { ...record, [String(head)]: withAt(record[String(head)], rest, change) };
}

const nested = (depth: number): unknown => (depth === 0 ? 'x' : { k: nested(depth - 1) });

describe('the protocol is closed and bounded', () => {
  const all = [...clientMessageSchemas.map((schema) => ['client', schema] as const), ...serverMessageSchemas.map((schema) => ['server', schema] as const)];

  it('has only strict objects, bounded arrays and bounded strings, nested at most MAX_MESSAGE_DEPTH deep', () => {
    for (const [side, schema] of all) {
      const depth = schemaDepth(schema, `${side} ${typeOf(schema)}`);
      expect(depth, typeOf(schema)).toBeLessThanOrEqual(MAX_MESSAGE_DEPTH);
    }
  });

  it('refuses a nested value added to, or put in place of, any part of any valid message, schema by schema', () => {
    const schemas = new Map(all.map(([side, schema]) => [`${side} ${typeOf(schema)}`, schema]));
    let tried = 0;
    for (const [side, examples] of [['client', clientExamples], ['server', serverExamples]] as const) {
      for (const [type, example] of variants(examples)) {
        const schema = schemas.get(`${side} ${type}`);
        if (schema === undefined) throw new Error(`no schema for ${side} ${type}`);
        expect(schema.safeParse(example).success, `${side} ${type} example`).toBe(true);
        for (const path of pathsIn(example)) {
          const where = `${side} ${type} at ${path.join('.') || 'the root'}`;
          const target = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], example);
          if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
            expect(schema.safeParse(withAt(example, path, (node) => ({ ...(node as object), extra: nested(3) }))).success, `extra key ${where}`).toBe(false);
          }
          if (path.length > 0 && path.at(-1) !== 'type' && path.at(-1) !== 'v') {
            expect(schema.safeParse(withAt(example, path, () => nested(MAX_MESSAGE_DEPTH + 1))).success, `nested value ${where}`).toBe(false);
          }
          tried += 1;
        }
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('refuses a message nested thousands deep before any schema sees it, with a clear error', () => {
    const deep = JSON.parse(`{"v":1,"type":"call.signal","callId":"AAAAAAAAAAAAAAAAAAAAAA","to":"bob","data":{"transceiverRequest":{"kind":"video","init":${'['.repeat(5000)}${']'.repeat(5000)}}}}`) as unknown;
    for (const parse of [parseClientMessage, parseServerMessage]) {
      let thrown: unknown;
      try {
        parse(deep);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProtocolError);
      expect(thrown).toMatchObject({ code: 'bad-message', message: `a message nests at most ${MAX_MESSAGE_DEPTH} levels deep` });
    }
  });

  it('measures nesting without recursion', () => {
    expect(nestsDeeperThan({ a: [1, { b: 'x' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(nestsDeeperThan(deep, MAX_MESSAGE_DEPTH)).toBe(true);
  });
});
