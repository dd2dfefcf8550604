/**
 * ts-mls against the MLS working group's interoperability vectors (mlswg/mls-implementations,
 * key-schedule.json), the entry for ciphersuite 0x0003 only: the key schedule down to the exporter
 * secret and the epoch authenticator, and MLS-Exporter itself, which are exactly what group calls
 * take from MLS (the SFrame base key and the security code).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mlsExporter } from 'ts-mls';
import { decodeGroupContext } from 'ts-mls/groupContext.js';
import { initializeEpoch } from 'ts-mls/keySchedule.js';
import { fromHex, toHex } from '../../../shared/crypto/bytes';
import { groupCipherSuite } from './mls-suite';

const hex = z.string().regex(/^([0-9a-f]{2})*$/);
const KeyScheduleVectors = z.object({
  cipher_suite: z.literal(3),
  initial_init_secret: hex,
  epochs: z.array(
    z.object({
      commit_secret: hex,
      psk_secret: hex,
      group_context: hex,
      exporter_secret: hex,
      epoch_authenticator: hex,
      init_secret: hex,
      exporter: z.object({ label: z.string(), context: hex, length: z.number().int().positive(), secret: hex }),
    }),
  ),
});

const vectors = KeyScheduleVectors.parse(JSON.parse(readFileSync(new URL('./fixtures/mls-key-schedule-0x0003.json', import.meta.url), 'utf8')));

describe('ts-mls key schedule, RFC 9420 test vectors for 0x0003', () => {
  it('derives every epoch’s exporter secret, epoch authenticator and exporter output', async () => {
    expect(vectors.cipher_suite).toBe(3);
    const cs = await groupCipherSuite();
    let initSecret = fromHex(vectors.initial_init_secret);
    expect(vectors.epochs.length).toBeGreaterThan(0);
    for (const epoch of vectors.epochs) {
      const decoded = decodeGroupContext(fromHex(epoch.group_context), 0);
      if (decoded === undefined) throw new Error('the vector group context does not decode');
      const groupContext = decoded[0];
      expect(groupContext.cipherSuite).toBe('MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519');
      const secrets = await initializeEpoch(initSecret, fromHex(epoch.commit_secret), groupContext, fromHex(epoch.psk_secret), cs.kdf);
      expect(toHex(secrets.keySchedule.exporterSecret)).toBe(epoch.exporter_secret);
      expect(toHex(secrets.keySchedule.epochAuthenticator)).toBe(epoch.epoch_authenticator);
      expect(toHex(secrets.keySchedule.initSecret)).toBe(epoch.init_secret);
      const exported = await mlsExporter(secrets.keySchedule.exporterSecret, epoch.exporter.label, fromHex(epoch.exporter.context), epoch.exporter.length, cs);
      expect(toHex(exported)).toBe(epoch.exporter.secret);
      initSecret = secrets.keySchedule.initSecret;
    }
  });
});
