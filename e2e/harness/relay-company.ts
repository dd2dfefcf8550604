import { writeFileSync } from 'node:fs';
import { expect, type TestInfo } from '@playwright/test';
import type { ResponseOf } from '../../shared/ipc';
import { Company, unwrap, type CompanyUser } from './company';
import { startCoturn, type Coturn } from './coturn';
import type { HarnessEnvironment } from './harness-environment';
import { HARNESS_TUNING } from './harness-user';

/*
 * A company whose server hands out credentials for a real coturn on loopback, with Alice and Bob
 * enrolled and (by default both) set to relay-only calls.
 */

export const TURN_SECRET = 'relay-test-secret-4f1c9b27';

export interface RelayCompany {
  company: Company;
  coturn: Coturn;
  alice: CompanyUser;
  bob: CompanyUser;
}

export async function openRelayCompany(
  harness: HarnessEnvironment,
  testInfo: TestInfo,
  coturnSecret: string,
  connectTimeoutMs?: number,
  relayOnly: readonly ('alice' | 'bob')[] = ['alice', 'bob'],
): Promise<RelayCompany> {
  const coturn = await startCoturn({ secret: coturnSecret, dir: testInfo.outputPath('coturn') });
  // The secret reaches the server in a file, as in deployment, so that it stays out of `ps`.
  const secretFile = testInfo.outputPath('turn-secret');
  writeFileSync(secretFile, TURN_SECRET, { mode: 0o600 });
  let company: Company | undefined;
  try {
    company = await Company.open(harness, ['--turn-url', coturn.url, '--turn-secret-file', secretFile]);
    const hostOptions = connectTimeoutMs === undefined ? {} : { hostOptions: { tuning: { ...HARNESS_TUNING, timeouts: { ...HARNESS_TUNING.timeouts, connectTimeoutMs } } } };
    const alice = await company.enrolledUser('alice', 'Alice Archer', hostOptions);
    const bob = await company.enrolledUser('bob', 'Bob Baker', hostOptions);
    await company.seeEachOther(alice, bob);
    for (const user of [alice, bob].filter((candidate) => relayOnly.includes(candidate.userId as 'alice' | 'bob'))) {
      const set = unwrap<ResponseOf<'settings.set'>>(await user.host.invoke('settings.set', { relayOnly: true }));
      expect(set.values.relayOnly, `${user.displayName} turned relay-only on`).toBe(true);
      // What the engine asks for at the start of a call: coturn's URL and a relay-only policy.
      const ice = unwrap<ResponseOf<'turn.iceServers'>>(await user.host.invoke('turn.iceServers', undefined));
      expect(ice.relayOnly).toBe(true);
      expect(ice.iceServers.map((server) => server.urls)).toEqual([[coturn.url]]);
    }
    return { company, coturn, alice, bob };
  } catch (error) {
    await company?.close();
    await coturn.stop();
    throw error;
  }
}

export async function closeRelayCompany(opened: RelayCompany, testInfo: TestInfo): Promise<void> {
  await opened.company.close();
  await opened.coturn.stop();
  await testInfo.attach('turnserver.log', { path: opened.coturn.logFile, contentType: 'text/plain' });
}
