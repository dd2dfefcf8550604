import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { Aead } from './chacha20-poly1305';

/**
 * RFC 9605's suite 0x0004 cipher (AES-128-GCM) as a synchronous Aead, from Node's OpenSSL: only
 * so the unit tests can run the RFC's test vectors through the same SFrame code as the media
 * suite. No browser has a synchronous AES-GCM, which is why media do not use this suite.
 */
export function nodeAesGcm(key: Uint8Array): Aead {
  const held = Uint8Array.from(key);
  return {
    seal(nonce, aad, plaintext, out, offset) {
      const cipher = createCipheriv('aes-128-gcm', held, nonce);
      cipher.setAAD(Buffer.concat(aad.map((part) => Buffer.from(part))));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      out.set(body, offset);
    },
    open(nonce, aad, sealed) {
      if (sealed.length < 16) return false;
      const decipher = createDecipheriv('aes-128-gcm', held, nonce);
      decipher.setAAD(Buffer.concat(aad.map((part) => Buffer.from(part))));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      try {
        return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]));
      } catch {
        return false;
      }
    },
    openInto(nonce, aad, sealed, out, offset) {
      const plain = this.open(nonce, aad, sealed);
      if (plain === false) return false;
      out.set(plain, offset);
      return true;
    },
    wipe() {
      held.fill(0);
    },
  };
}
