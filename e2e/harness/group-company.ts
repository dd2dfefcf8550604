import type { Company, CompanyUser } from './company';

/** The people of a group-call test, owner first: distinct first names, ids in list order. */
export const GROUP_PEOPLE = [
  ['alice', 'Alice Archer'],
  ['bob', 'Bob Baker'],
  ['carol', 'Carol Chen'],
  ['dave', 'Dave Dunn'],
  ['erin', 'Erin Evans'],
  ['frank', 'Frank Fox'],
  ['grace', 'Grace Gray'],
  ['heidi', 'Heidi Hill'],
] as const;

/**
 * `count` users of the company (2 to 8), enrolled through real links one after the other (each
 * enrollment publishes the user's KeyPackages), online, and each seeing every other one online.
 */
export async function groupOfUsers(company: Company, count: number): Promise<CompanyUser[]> {
  if (count < 2 || count > GROUP_PEOPLE.length) throw new Error(`a group of ${String(count)} users is not one the harness makes`);
  const users: CompanyUser[] = [];
  for (const [userId, displayName] of GROUP_PEOPLE.slice(0, count)) users.push(await company.enrolledUser(userId, displayName));
  await company.seeEachOther(...users);
  return users;
}
