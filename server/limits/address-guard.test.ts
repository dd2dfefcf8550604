import { describe, expect, it } from 'vitest';
import { AddressGuard, type AddressLimits } from './address-guard';
import { KeyedBuckets } from './keyed-buckets';

const limits: AddressLimits = { maxUnauthenticatedPerAddress: 2, connectRatePerAddress: 1000, connectBurstPerAddress: 1000, enrollFailuresPerAddress: 3, enrollFailures: 5 };

describe('AddressGuard', () => {
  it('lets each address hold its share of waiting sockets, and gives a slot back when one settles', () => {
    const guard = new AddressGuard(limits);
    expect([guard.admit('a'), guard.admit('a'), guard.admit('a')].map((admission) => admission.ok)).toEqual([true, true, false]);
    expect(guard.admit('b').ok).toBe(true);
    guard.settled('a');
    expect(guard.admit('a').ok).toBe(true);
    expect(guard.waitingAt('a')).toBe(2);
  });

  it('refuses connections beyond an address’s rate, and names the reason', () => {
    const guard = new AddressGuard({ ...limits, maxUnauthenticatedPerAddress: 100, connectRatePerAddress: 1, connectBurstPerAddress: 3 });
    const outcomes = Array.from({ length: 4 }, () => guard.admit('a'));
    expect(outcomes.map((admission) => admission.ok)).toEqual([true, true, true, false]);
    const refused = outcomes[3];
    expect(refused !== undefined && !refused.ok && refused.message).toMatch(/too many new connections from your address/);
    expect(guard.admit('b').ok).toBe(true);
  });

  it('stops an address after its failed enrollments, and everyone after the server-wide number', () => {
    const guard = new AddressGuard(limits);
    for (let i = 0; i < 3; i++) {
      expect(guard.mayEnroll('a')).toBe(true);
      guard.enrollFailed('a');
    }
    expect(guard.mayEnroll('a')).toBe(false);
    expect(guard.mayEnroll('b')).toBe(true);
    guard.enrollFailed('b');
    guard.enrollFailed('c');
    // Five failures in all: the server-wide budget is spent, for addresses that never failed too.
    expect(guard.mayEnroll('d')).toBe(false);
  });
});

describe('KeyedBuckets', () => {
  it('forgets buckets that have refilled once many addresses were seen, and keeps the ones in use', () => {
    const buckets = new KeyedBuckets(1, 1);
    expect(buckets.take('busy', 0)).toBe(true);
    for (let i = 0; i < 10_000; i++) buckets.take(`a${i}`, 0);
    expect(buckets.size).toBe(10_001);
    // 2 s later, the first 10 001 have refilled; the next new key sweeps them.
    expect(buckets.take('busy', 2000)).toBe(true);
    buckets.take('new', 2000);
    expect(buckets.size).toBe(2);
    expect(buckets.take('busy', 2000)).toBe(false);
  });
});
