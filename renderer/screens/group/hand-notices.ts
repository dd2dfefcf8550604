/**
 * Whose hand went up between two snapshots of the raised hands (user id to a number that rises in
 * the order hands went up, renderer/call/group/member-states.ts), in that order: each gets a
 * "raised their hand" notice. Yours is left out (you know), and so is a hand that stayed up; one
 * lowered and raised again between the snapshots has a new number and counts.
 */
export function newlyRaised(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, selfId: string): string[] {
  return [...after]
    .filter(([userId, order]) => userId !== selfId && before.get(userId) !== order)
    .sort((a, b) => a[1] - b[1])
    .map(([userId]) => userId);
}
