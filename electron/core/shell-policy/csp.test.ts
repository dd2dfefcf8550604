import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, parseCsp, policyHeadersFor, withContentSecurityPolicy } from './csp';

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

describe('policyHeadersFor', () => {
  const rendererUrl = 'file:///opt/Sealcall/resources/app.asar/out/renderer/index.html';
  const policyOf = (url: string) => policyHeadersFor(url, rendererUrl, { 'Content-Type': ['text/javascript'] })?.['Content-Security-Policy'];

  it("gives the policy to every file of the renderer's folder, the frame-crypto worker's script included", () => {
    for (const url of [
      rendererUrl,
      `${rendererUrl}?route=settings`,
      'file:///opt/Sealcall/resources/app.asar/out/renderer/assets/frame-crypto.worker-Bx3kQ9.js',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/assets/index-D1a2b3.js',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/assets/libsodium-C4d5e6.wasm',
    ]) {
      expect(policyOf(url), url).toEqual([CONTENT_SECURITY_POLICY]);
    }
  });

  it('keeps the response\'s other headers and drops any other policy', () => {
    const headers = policyHeadersFor('file:///opt/Sealcall/resources/app.asar/out/renderer/assets/frame-crypto.worker-Bx3kQ9.js', rendererUrl, {
      'Content-Type': 'text/javascript',
      'content-security-policy': "script-src * 'unsafe-eval'",
    });
    expect(headers).toEqual({ 'Content-Type': ['text/javascript'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('leaves alone what is not a file of ours: other folders, other schemes, nonsense', () => {
    for (const url of [
      'file:///opt/Sealcall/resources/app.asar/out/electron/main.cjs',
      'file:///etc/passwd',
      'devtools://devtools/bundled/devtools_app.html',
      'https://example.com/out/renderer/index.html',
      'not a url',
    ]) {
      expect(policyHeadersFor(url, rendererUrl, {}), url).toBeUndefined();
    }
  });
});
