import type { z } from 'zod';

/*
 * Walks a zod schema as data to prove its values are closed and bounded: strict objects only,
 * arrays and strings with a maximum length, nothing that takes any shape. The protocol's and the
 * IPC contract's sweeps both use it, so a new loose object, record or unbounded string anywhere
 * fails a test before it can carry a payload nested thousands deep.
 */

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  innerType?: z.ZodType;
  checks?: readonly { _zod: { def: { check: string } } }[];
}

export const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const hasMaxLength = (def: Def) => (def.checks ?? []).some((check) => ['max_length', 'length_equals'].includes(check._zod.def.check));

/** How deep values of `schema` can nest; every part that leaves it open is named in `problems`. */
function walk(schema: z.ZodType, path: string, problems: string[]): number {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      if (def.catchall === undefined || defOf(def.catchall).type !== 'never') problems.push(`${path}: an object that is not strict`);
      return 1 + Math.max(0, ...Object.entries(def.shape ?? {}).map(([key, child]) => walk(child, `${path}.${key}`, problems)));
    }
    case 'array':
      if (!hasMaxLength(def) || def.element === undefined) {
        problems.push(`${path}: an array without a maximum length`);
        return 1;
      }
      return 1 + walk(def.element, `${path}[]`, problems);
    case 'union':
      return Math.max(...(def.options ?? []).map((option, index) => walk(option, `${path}|${index}`, problems)));
    case 'optional':
    case 'nullable':
      if (def.innerType === undefined) {
        problems.push(`${path}: a wrapper without a type`);
        return 0;
      }
      return walk(def.innerType, path, problems);
    case 'string':
      if (!hasMaxLength(def)) problems.push(`${path}: a string without a maximum length`);
      return 0;
    case 'literal':
    case 'enum':
    case 'boolean':
    case 'number':
    case 'null':
    case 'undefined':
      return 0;
    default:
      problems.push(`${path}: a ${def.type}, which nothing here bounds`);
      return 0;
  }
}

/** How deep values of `schema` can nest; throws, naming every open part, unless it is closed and bounded. */
export function schemaDepth(schema: z.ZodType, path: string): number {
  const problems: string[] = [];
  const depth = walk(schema, path, problems);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return depth;
}
