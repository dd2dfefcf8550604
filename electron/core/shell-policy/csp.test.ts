import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, parseCsp, withContentSecurityPolicy } from './csp';

function metaPolicy(): string {
  const html = readFileSync(path.resolve(import.meta.dirname, '../../../renderer/index.html'), 'utf8');
  const tag = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  if (tag?.[1] === undefined) throw new Error('renderer/index.html has no CSP meta tag');
  return tag[1];
}

describe('the Content Security Policy', () => {
  it("is the same policy as renderer/index.html's meta tag", () => {
    expect(parseCsp(CONTENT_SECURITY_POLICY)).toEqual(parseCsp(metaPolicy()));
  });

  it('allows no inline code, eval, remote origin or plugin', () => {
    const policy = parseCsp(CONTENT_SECURITY_POLICY);
    for (const [directive, sources] of policy) {
      for (const source of sources) {
        // WebAssembly may compile (libsodium in the frame-crypto worker), and only in script-src.
        if (directive === 'script-src' && source === "'wasm-unsafe-eval'") continue;
        expect(source).toMatch(/^('self'|'none'|blob:)$/);
      }
    }
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('parses like a browser: order-free, case-insensitive names, first directive wins', () => {
    expect(parseCsp("Script-Src 'self';  default-src 'none'; script-src *")).toEqual(
      new Map([
        ['script-src', ["'self'"]],
        ['default-src', ["'none'"]],
      ]),
    );
  });
});

describe('withContentSecurityPolicy', () => {
  it('adds the header and replaces any other policy, whatever its case', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *"],
      'CONTENT-SECURITY-POLICY-REPORT-ONLY': 'default-src *',
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('works without headers', () => {
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});
