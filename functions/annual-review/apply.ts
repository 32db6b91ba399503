import type { Grant } from '#core/registry';
import type { NamedPerson } from '#core/request';
import type { EmailContent } from '#core/email-layout';
import { authorityLapsedEmail, authorityRevokedEmail } from '#annual-review/emails';
import { type Policy, policy } from '#core/policy';
import { type Change, changesOf, type DepartmentPage, type PlatformPage, type ReviewPage, reviewSourceId } from '#annual-review/review';

/**
 * Applying a submitted page: every change its answers ask for, each one conditional, so applying
 * again (the submit's retry, a follow-up sweep after a crash between the submit and its changes,
 * the final report) changes nothing twice and emails nobody twice. Works over ports, so the
 * handlers that apply (the submit, the follow-up, the report) share it and a unit test can drive it.
 */
export interface ApplyPorts {
  revokeGrant(g: Pick<Grant, 'accountId' | 'personId' | 'sourceRequestId'>, at: string, reason: string, bySourceId: string): Promise<boolean>;
  putGrant(grant: Grant): Promise<boolean>;
  retireAccount(accountId: string, at: string, reason: string, bySourceId: string): Promise<boolean>;
  person(id: string): Promise<NamedPerson | undefined>;
  /** Once per key, about this page (mail ledger). */
  notify(page: ReviewPage, key: string, to: string, email: EmailContent): Promise<unknown>;
  markApplied(page: ReviewPage, at: string): Promise<boolean>;
  platforms: {
    /** DTI kept it (with what changed, if anything): its usage agreement counts as reviewed today. */
    reviewed(platformId: string, note: string | undefined, by: NamedPerson, at: string): Promise<unknown>;
    retire(platformId: string, reason: string, by: NamedPerson, at: string): Promise<unknown>;
  };
}

/**
 * A submitted page's answers; or, for a department page marked not attested, the policy's default
 * decision when (and only when) policy.annualReview.noAnswerRevokesGrants turns one on: every grant
 * nobody confirmed lapses. Off by default, so a non-answer revokes nothing.
 */
export async function applyPage(page: ReviewPage, ports: ApplyPorts, at: string, p: Policy = policy): Promise<number> {
  if (page.appliedAt) return 0;
  let count: number;
  if (page.status === 'SUBMITTED') count = page.kind === 'PLATFORMS' ? await applyPlatforms(page, ports, at) : await applyDepartment(page, ports, at);
  else if (page.status === 'NOT_ATTESTED' && page.kind === 'DEPARTMENT' && p.annualReview.noAnswerRevokesGrants) count = await applyNoAnswer(page, ports, at);
  else return 0;
  await ports.markApplied(page, at);
  return count;
}

/** The default decision for a non-answer, when the policy turns it on: each grant not confirmed by the due date is revoked, and its holder told. */
async function applyNoAnswer(page: DepartmentPage, ports: ApplyPorts, at: string): Promise<number> {
  const year = Number(page.reviewId.slice(0, 4));
  const source = reviewSourceId(page);
  let n = 0;
  for (const line of page.accounts) {
    const answer = page.answers[line.accountId] ?? {};
    for (const g of line.grants) {
      if (answer.inUse === 'yes' && answer.keep?.[g.personId] === 'yes') continue;
      await ports.revokeGrant(
        { accountId: line.accountId, personId: g.personId, sourceRequestId: g.sourceRequestId },
        at,
        `Not confirmed by the due date of the ${year} annual review (B)`,
        source,
      );
      n += 1;
      const person = await ports.person(g.personId);
      if (person)
        await ports.notify(page, `lapsed-${line.accountId}-${g.personId}`, person.email, authorityLapsedEmail({ person, accountLabel: line.label, year }));
    }
  }
  return n;
}

async function applyPlatforms(page: PlatformPage, ports: ApplyPorts, at: string): Promise<number> {
  const by = page.submittedBy as NamedPerson;
  let n = 0;
  for (const line of page.platforms) {
    const answer = page.answers[line.platformId];
    if (!answer?.decision) continue;
    if (answer.decision === 'RETIRE') await ports.platforms.retire(line.platformId, answer.note ?? 'Retired in the annual review', by, at);
    else await ports.platforms.reviewed(line.platformId, answer.decision === 'CHANGE' ? answer.note : undefined, by, at);
    n += 1;
  }
  return n;
}

async function applyDepartment(page: DepartmentPage, ports: ApplyPorts, at: string): Promise<number> {
  const by = page.submittedBy as NamedPerson;
  const source = reviewSourceId(page);
  const year = Number(page.reviewId.slice(0, 4));
  const lines = new Map(page.accounts.map((a) => [a.accountId, a]));
  const revoke = async (accountId: string, personId: string, retired: boolean) => {
    const line = lines.get(accountId);
    const grant = line?.grants.find((g) => g.personId === personId);
    if (!line || !grant) return;
    const reason = retired ? `Account retired in the ${year} annual review` : `No longer needed (${year} annual review, B)`;
    await ports.revokeGrant({ accountId, personId, sourceRequestId: grant.sourceRequestId }, at, reason, source);
    // Told whether this call or an earlier one made the revocation: the notice has its own key.
    const person = await ports.person(personId);
    if (person)
      await ports.notify(
        page,
        `revoked-${accountId}-${personId}`,
        person.email,
        authorityRevokedEmail({ person, accountLabel: line.label, by, year, retired }),
      );
  };
  const changes: Change[] = changesOf(page);
  for (const change of changes) {
    if (change.kind === 'revoke') await revoke(change.accountId, change.personId, false);
    else if (change.kind === 'retire-account') {
      for (const g of lines.get(change.accountId)?.grants ?? []) await revoke(change.accountId, g.personId, true);
      await ports.retireAccount(change.accountId, at, `No longer in use (${year} annual review)`, source);
    } else {
      await ports.putGrant({
        accountId: change.accountId,
        personId: change.personId,
        personName: change.personName,
        role: 'ADMIN',
        receivesCredential: true,
        authorizedById: by.id,
        authorizedByName: by.name,
        authorizedAt: at,
        sourceRequestId: source,
        status: 'ACTIVE',
      });
    }
  }
  return changes.length;
}
