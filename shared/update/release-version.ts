/*
 * Release versions as electron-builder writes them: semantic versions (MAJOR.MINOR.PATCH with an
 * optional pre-release such as "-beta.2"), never build metadata ("+…"), which semver orders as
 * equal and so could not tell a re-signed old build from a new one.
 */

const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-((?:0|[1-9]\d{0,8}|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d{0,8}|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;

export const RELEASE_VERSION_EXAMPLE = '1.4.0';

interface Parsed {
  readonly core: readonly [number, number, number];
  readonly pre: readonly string[];
}

function parse(version: string): Parsed | undefined {
  if (version.length > 64) return undefined;
  const match = VERSION.exec(version);
  if (!match) return undefined;
  return { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] === undefined ? [] : match[4].split('.') };
}

export function isReleaseVersion(version: string): boolean {
  return parse(version) !== undefined;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semantic-version precedence: negative, zero or positive; throws on a string that is not a release version. */
export function compareReleaseVersions(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) throw new RangeError(`not a release version: ${JSON.stringify(left ? b : a).slice(0, 80)}`);
  for (let i = 0; i < 3; i++) {
    const diff = Math.sign((left.core[i] ?? 0) - (right.core[i] ?? 0));
    if (diff !== 0) return diff;
  }
  // A release ranks above its own pre-releases (1.0.0-rc.1 < 1.0.0).
  if (left.pre.length === 0 || right.pre.length === 0) return Math.sign(right.pre.length - left.pre.length);
  for (let i = 0; i < Math.min(left.pre.length, right.pre.length); i++) {
    const diff = compareIdentifiers(left.pre[i] ?? '', right.pre[i] ?? '');
    if (diff !== 0) return diff;
  }
  return Math.sign(left.pre.length - right.pre.length);
}
