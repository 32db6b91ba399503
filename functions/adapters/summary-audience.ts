import { policy } from '#core/policy';
import { env } from '#adapters/env';
import type { DirectoryStore } from '#adapters/directory-store';

/**
 * Who is told of what the workflows did for the City as a whole (O.b): DTI's mailbox and the
 * holders of the roles policy.offboarding.notify names (the Communications Coordinator). The
 * offboarding summaries and the annual review's summaries go to the same people.
 */
export async function summaryAudience(directory: DirectoryStore): Promise<string[]> {
  const holders = (await directory.roleHolders()).filter((r) => (policy.offboarding.notify as readonly string[]).includes(r.role));
  const people = await Promise.all(holders.map((h) => directory.person(h.holderId)));
  return [...new Set([env().DTI_EMAIL, ...people.flatMap((p) => (p ? [p.email] : []))])];
}
