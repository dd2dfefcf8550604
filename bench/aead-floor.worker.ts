/*
 * The worker-crypto benchmark's floor, bundled by esbuild and started from a blob in the call's
 * page: one raw ChaCha20-Poly1305 encrypt and decrypt per frame through libsodium's own wrapper
 * (no SFrame header, no key lookup, no transform), timed one at a time.
 */
import sodium from 'libsodium-wrappers-sumo';

interface FloorRequest {
  bytes: number;
  rounds: number;
  paceMs: number;
}

const middle = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;
/** The mean of the middle 80 % (the clamped timer is jittered: its mean is unbiased). */
const trimmed = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const kept = sorted.slice(Math.floor(sorted.length / 10), sorted.length - Math.floor(sorted.length / 10));
  return kept.reduce((sum, value) => sum + value, 0) / kept.length;
};

addEventListener('message', (event: Event) => {
  const { bytes, rounds, paceMs } = (event as MessageEvent<FloorRequest>).data;
  void (async () => {
    await sodium.ready;
    const key = sodium.randombytes_buf(32);
    const plain = crypto.getRandomValues(new Uint8Array(bytes));
    const encrypt: number[] = [];
    const decrypt: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const nonce = new Uint8Array(12);
      new DataView(nonce.buffer).setUint32(8, i);
      const sealed = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plain, null, null, nonce, key);
      // Paced, each operation waits alone, as a call's frames do: none runs right after the
      // other warmed the caches for it.
      if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      let started = performance.now();
      sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plain, null, null, nonce, key);
      encrypt.push((performance.now() - started) * 1000);
      if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      started = performance.now();
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, sealed, null, nonce, key);
      decrypt.push((performance.now() - started) * 1000);
    }
    postMessage({ encrypt: { median: middle(encrypt), mean: trimmed(encrypt) }, decrypt: { median: middle(decrypt), mean: trimmed(decrypt) } });
  })();
});
