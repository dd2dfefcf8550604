import { isRendererFile } from './navigation';

/**
 * The renderer's Content Security Policy. renderer/index.html carries the same policy in a <meta>
 * tag (a test holds the two together); the shell also sends it as a response header on every file
 * it serves (see policyHeadersFor), so the policy holds even for a response that somehow lost its
 * meta tag, and for the frame-crypto worker's script, which takes its policy from its own response. Everything is our own files: no inline
 * script or style, no eval, no remote origin. 'wasm-unsafe-eval' lets our own WebAssembly compile
 * (libsodium, which the frame-crypto worker runs on every frame); it allows no JavaScript eval.
 * Media and workers may use blob: URLs (camera previews, the frame-crypto worker).
 */
const DIRECTIVES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['default-src', ["'self'"]],
  ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
  ['style-src', ["'self'"]],
  ['img-src', ["'self'", 'blob:']],
  ['media-src', ["'self'", 'blob:']],
  ['font-src', ["'self'"]],
  ['connect-src', ["'self'"]],
  ['worker-src', ["'self'", 'blob:']],
  ['object-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
];

export const CONTENT_SECURITY_POLICY = DIRECTIVES.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');

/** A policy as directive name -> sources, for comparing policies written in different orders. */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name === undefined || name === '') continue;
    const key = name.toLowerCase();
    // As in browsers, a repeated directive is ignored after its first appearance.
    if (!directives.has(key)) directives.set(key, sources);
  }
  return directives;
}

export type ResponseHeaders = Readonly<Record<string, readonly string[] | string>>;

/**
 * The response headers with our policy set and any other CSP removed, so that nothing in the
 * response can loosen it (header names compare case-insensitively).
 */
export function withContentSecurityPolicy(headers: ResponseHeaders | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    result[name] = typeof value === 'string' ? [value] : [...value];
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

/**
 * The headers the shell gives a response, or undefined to leave it alone. Every file of the
 * renderer's folder gets the policy, not only index.html: a worker's script takes its policy from
 * its own response, not from the page that started it, so the frame-crypto worker, which holds the
 * call's media keys, would otherwise run under no policy at all. These are exactly the files the
 * request filter lets through (isRequestAllowed), so no file of ours is served without it. Other
 * schemes are left alone: blob: documents and workers inherit their creator's policy, DevTools
 * has its own, and the request filter refuses the rest.
 */
export function policyHeadersFor(url: string, rendererUrl: string, headers: ResponseHeaders | undefined): Record<string, string[]> | undefined {
  return isRendererFile(url, rendererUrl) ? withContentSecurityPolicy(headers) : undefined;
}
