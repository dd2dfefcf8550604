import type { z } from 'zod';

export interface IssueDescription {
  /** `relayOnly`, `locked[1]`, `entries[3].endedAt`; `(document)` for the whole file. */
  readonly field: string;
  /** Plain words, e.g. `must be true or false`. Never contains the offending value. */
  readonly problem: string;
}

export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(document)' : out;
}

const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'an object',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function sizeWords(origin: string, bound: number | bigint, kind: 'least' | 'most'): string {
  if (origin === 'string') return bound === 1 && kind === 'least' ? 'must not be empty' : `must be at ${kind} ${bound} characters`;
  if (origin === 'array') return `must have at ${kind} ${bound} entries`;
  return `must be at ${kind} ${bound}`;
}

/**
 * Turns zod's first complaint into words that name the field, for messages such as
 * `/etc/sealcall/config.json: "relayOnly" must be true or false`. `root` is the parsed document,
 * used only to tell a missing field from a wrong one.
 */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown): IssueDescription {
  const field = formatFieldPath(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      if (valueAt(root, issue.path) === undefined) return { field, problem: 'is missing' };
      return { field, problem: `must be ${EXPECTED_WORDS[issue.expected] ?? issue.expected}` };
    }
    case 'invalid_value': {
      const options = issue.values.map((value) => JSON.stringify(value)).join(', ');
      return { field, problem: issue.values.length === 1 ? `must be ${options}` : `must be one of ${options}` };
    }
    case 'unrecognized_keys': {
      const [first] = issue.keys;
      return { field: formatFieldPath([...issue.path, first ?? '?']), problem: 'is not a known field (check its spelling)' };
    }
    case 'too_small':
      return { field, problem: sizeWords(issue.origin, issue.minimum, 'least') };
    case 'too_big':
      return { field, problem: sizeWords(issue.origin, issue.maximum, 'most') };
    case 'invalid_union':
      return { field, problem: 'has the wrong form' };
    default:
      // Our own checks word their messages to follow the field name ("is before startedAt");
      // shared schemas state a rule instead ("a user id is …"), which needs a lead-in.
      return { field, problem: /^(is|are|must|may|locks|has)\b/.test(issue.message) ? issue.message : `is not valid: ${issue.message}` };
  }
}
