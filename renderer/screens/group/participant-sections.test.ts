import { describe, expect, it } from 'vitest';
import { matchesSearch, participantSections, type Invitee } from './participant-sections';

const members = [
  { userId: 'me', displayName: 'Alice Adams' },
  { userId: 'bob', displayName: 'Bob Baker' },
  { userId: 'jose', displayName: 'José Ortega' },
  { userId: 'carol', displayName: 'Carol Chen' },
  { userId: 'dana', displayName: 'Dana Dorsey' },
];
const invitees: Invitee[] = [
  { userId: 'bob', displayName: 'Bob Baker', absence: null },
  { userId: 'erin', displayName: 'Erin Evans', absence: null },
  { userId: 'finn', displayName: 'Finn Fox', absence: 'declined' },
  { userId: 'gus', displayName: 'Gus Green', absence: 'busy' },
];
const names = (list: readonly { displayName: string }[]) => list.map((person) => person.displayName);

describe('participantSections', () => {
  it('puts raised hands first in the order they went up, then the call in list order, then ringing, then not coming', () => {
    const hands = new Map([
      ['dana', 4],
      ['bob', 9],
      ['me', 2],
    ]);
    const sections = participantSections(members, hands, invitees, '');
    expect(names(sections.raised)).toEqual(['Alice Adams', 'Dana Dorsey', 'Bob Baker']);
    expect(names(sections.inCall)).toEqual(['José Ortega', 'Carol Chen']);
    // Bob is in the call: his invite no longer rings.
    expect(names(sections.ringing)).toEqual(['Erin Evans']);
    expect(names(sections.notComing)).toEqual(['Finn Fox', 'Gus Green']);
  });

  it('narrows every section to the names that match', () => {
    const sections = participantSections(members, new Map([['carol', 1]]), invitees, 'c');
    expect(names(sections.raised)).toEqual(['Carol Chen']);
    expect(names(sections.inCall)).toEqual([]);
    expect(participantSections(members, new Map(), invitees, 'f').notComing).toHaveLength(1);
    expect(names(participantSections(members, new Map(), invitees, 'e').ringing)).toEqual(['Erin Evans']);
  });
});

describe('matchesSearch', () => {
  it('matches word starts, ignoring case and accents, and user ids', () => {
    const jose = { userId: 'jose.ortega', displayName: 'José Ortega' };
    expect(matchesSearch(jose, 'jose')).toBe(true);
    expect(matchesSearch(jose, 'ORT')).toBe(true);
    expect(matchesSearch(jose, 'jo or')).toBe(true);
    expect(matchesSearch(jose, 'tega')).toBe(true); // in the user id
    // Not the middle of a name word.
    expect(matchesSearch({ userId: 'u1', displayName: 'José Ortega' }, 'osé')).toBe(false);
    expect(matchesSearch(jose, '  ')).toBe(true);
    expect(matchesSearch(jose, 'bob')).toBe(false);
  });
});
