import type { Contact } from '../../shared/ipc';

/** Case- and accent-blind, so "zoe" finds "Zoë". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Contacts whose name or id contains every word of the query, alphabetical by name. */
export function filterContacts(contacts: readonly Contact[], query: string): Contact[] {
  const words = fold(query).split(/\s+/u).filter((word) => word !== '');
  const matching = contacts.filter((contact) => {
    const haystack = `${fold(contact.displayName)} ${fold(contact.id)}`;
    return words.every((word) => haystack.includes(word));
  });
  return matching.sort((a, b) => a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id));
}
