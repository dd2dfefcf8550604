import { hkdfSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { bundleBrowserScript } from './harness/browser-script';
import { serveDirectory } from './harness/static-server';
import { concatBytes, fromHex, toHex, uintToBytes, utf8Bytes } from '../shared/crypto/bytes';
import { encodeSFrameHeader } from '../shared/crypto/sframe';
import { loadSodium } from '../shared/crypto/sodium';
import { runCryptoSelfTest, type SelfTestInput, type SelfTestResult } from './crypto-runtimes/selftest';

/*
 * shared/crypto must run unchanged in Node, in a Chromium page and in a Worker (the renderer's
 * frame-crypto worker does). Bundle the same self-test for the browser, run it in all three, and
 * compare: SFrame in the media suite on the RFC 9605 vector's inputs must come out byte for byte
 * as an independent reference computes it, the wrong key must fail the same way. The page and the
 * worker are served with the app's Content Security Policy, so libsodium's WebAssembly must
 * compile under it.
 */

/** The RFC 9605 vector's inputs; its ciphertext is suite 0x0004's, and the media suite is checked against a reference instead. */
interface Suite4Vector {
  cipher_suite: number;
  kid: string;
  ctr: string;
  base_key: string;
  metadata: string;
  pt: string;
}

async function suite4Vector(): Promise<Suite4Vector> {
  const text = await readFile(path.join(import.meta.dirname, '../shared/crypto/fixtures/rfc9605-vectors.json'), 'utf8');
  const { sframe } = JSON.parse(text) as { sframe: Suite4Vector };
  if (sframe.cipher_suite !== 4) throw new Error('the fixture holds no suite-4 vector');
  return sframe;
}

/**
 * SFrame over ChaCha20-Poly1305 (suite 0xF001) computed without shared/crypto/sframe.ts: Node's
 * HKDF for the RFC 9605 key schedule, libsodium's own wrapper for the AEAD.
 */
async function referenceSFrame(input: SelfTestInput): Promise<string> {
  const kid = BigInt(input.kid);
  const ctr = BigInt(input.ctr);
  const baseKey = fromHex(input.baseKey);
  const labelFor = (kind: string) => concatBytes(utf8Bytes(`SFrame 1.0 Secret ${kind} `), uintToBytes(kid, 8), fromHex('f001'));
  const key = new Uint8Array(hkdfSync('sha256', baseKey, new Uint8Array(0), labelFor('key'), 32));
  const salt = new Uint8Array(hkdfSync('sha256', baseKey, new Uint8Array(0), labelFor('salt'), 12));
  const nonce = uintToBytes(BigInt(`0x${toHex(salt)}`) ^ ctr, 12);
  const header = encodeSFrameHeader(kid, ctr);
  const sodium = await loadSodium();
  const sealed = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(fromHex(input.plaintext), concatBytes(header, fromHex(input.metadata)), null, nonce, key);
  return toHex(concatBytes(header, sealed));
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await writeFile(outfile, await bundleBrowserScript(path.join(import.meta.dirname, 'crypto-runtimes', entry)));
}

test('shared/crypto gives the same answers in Node, a Chromium page and a Worker', async ({ playwright, launchOptions }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sealcall-crypto-runtimes-'));
  const server = await serveDirectory(dir);
  const browser = await playwright.chromium.launch(launchOptions);
  try {
    await Promise.all([bundle('page-entry.ts', path.join(dir, 'page.js')), bundle('worker-entry.ts', path.join(dir, 'worker.js'))]);
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>crypto self-test</title><script src="page.js"></script>');
    const vector = await suite4Vector();
    // The media suite's key is 32 bytes, so its base key is the vector's 16 bytes twice.
    const input = { baseKey: vector.base_key.repeat(2), kid: vector.kid, ctr: vector.ctr, metadata: vector.metadata, plaintext: vector.pt };

    const inNode = await runCryptoSelfTest(input);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}index.html`);
    const inPage = await page.evaluate(
      (value) => (globalThis as unknown as { runCryptoSelfTest(input: SelfTestInput): Promise<SelfTestResult> }).runCryptoSelfTest(value),
      input,
    );
    const inWorker = await page.evaluate(
      (value) =>
        new Promise<SelfTestResult>((resolve, reject) => {
          const worker = new Worker('worker.js');
          worker.onmessage = (event: MessageEvent<{ ok: boolean; result?: SelfTestResult; error?: string }>) => {
            if (event.data.ok && event.data.result) resolve(event.data.result);
            else reject(new Error(event.data.error ?? 'worker failed'));
          };
          worker.onerror = (event) => {
            reject(new Error(event.message));
          };
          worker.postMessage(value);
        }),
      input,
    );

    expect(inNode.sframeCiphertext).toBe(await referenceSFrame(input));
    expect(inNode.sframeRoundTrip).toBe(input.plaintext);
    expect(inNode.wrongKeyError).toBe('sframe-auth-failed');
    expect(inNode.safetyNumber).toMatch(/^\d{60}$/);
    expect(inNode).toMatchObject({ handshakeKeysAgree: true, handshakeShortCodesAgree: true, mediaFrameRoundTrip: true });
    expect(inPage).toEqual(inNode);
    expect(inWorker).toEqual(inNode);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
