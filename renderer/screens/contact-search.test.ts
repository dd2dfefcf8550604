import { describe, expect, it } from 'vitest';
import type { Contact } from '../../shared/ipc';
import { filterContacts } from './contact-search';

function contact(id: string, displayName: string): Contact {
  return { id, displayName, presence: 'online', verified: false, verifiedAt: null, keyChanged: false, pinLost: false, identityKey: 'AQ'.padEnd(44, 'A') };
}

const people = [contact('zoe', 'Zoë Zimmer'), contact('bob', 'Bob Baker'), contact('a.khan', 'Aisha Khan')];

describe('filterContacts', () => {
  it('lists everyone alphabetically for an empty query', () => {
    expect(filterContacts(people, '  ').map((c) => c.id)).toEqual(['a.khan', 'bob', 'zoe']);
  });

  it('matches names and ids, blind to case and accents', () => {
    expect(filterContacts(people, 'ZOE').map((c) => c.id)).toEqual(['zoe']);
    expect(filterContacts(people, 'a.kh').map((c) => c.id)).toEqual(['a.khan']);
    expect(filterContacts(people, 'baker bob').map((c) => c.id)).toEqual(['bob']);
    expect(filterContacts(people, 'nobody')).toEqual([]);
  });

  it('leaves the list it was given alone', () => {
    const given = [...people];
    filterContacts(given, '');
    expect(given.map((c) => c.id)).toEqual(['zoe', 'bob', 'a.khan']);
  });
});
