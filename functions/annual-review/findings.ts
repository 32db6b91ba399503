import type { Person, Policy } from '#core/policy';
import { policy } from '#core/policy';
import { isRetired, missingDocuments, type Platform, platformDocumentKinds, platformDocumentTitles } from '#core/platform';
import type { Account, Grant } from '#core/registry';
import { inForce, type Standing, standingLine } from '#core/standing';
import type { AccountLine, Finding, PlatformLine, ReviewPage } from '#annual-review/model';

/**
 * What the system finds (the decision helpers beside each question): about an account, from its
 * grants, the people holding them, its platform, its password's last change and its newest
 * activity; about a platform, from its usage agreement and its P documents. A finding never
 * changes anything by itself.
 */

const daysBetween = (from: string, to: Date) => Math.floor((to.getTime() - Date.parse(from)) / 86_400_000);

/**
 * What the system finds about one account, from what the department's task read in one batch:
 * its active grants, the people holding them, its platform, when its credential last changed and
 * its newest activity (a record, a request or a grant change).
 */
export function accountFindings(input: {
  account: Account & { credentialChangedAt?: string };
  grants: Grant[];
  /** Its standings (exceptions F.d, displays Q); those in force are listed on its row. */
  standings?: readonly Standing[];
  people: Map<string, Person>;
  platform?: Platform;
  lastActivityAt?: string;
  now: Date;
  policy?: Policy;
}): AccountLine {
  const p = (input.policy ?? policy).annualReview;
  const { account, now } = input;
  const active = input.grants.filter((g) => g.status === 'ACTIVE');
  const findings: Finding[] = [];
  const admins = active.filter((g) => g.role === 'ADMIN');
  if (admins.length === 0) findings.push({ code: 'NO_ADMIN', text: 'No admin: name two (B).' });
  else if (admins.length === 1) findings.push({ code: 'SOLE_ADMIN', text: `${admins[0]?.personName} is its only admin: name a second (B).` });
  for (const g of active) {
    const person = input.people.get(g.personId);
    if (!person || person.separatedOn) {
      findings.push({
        code: 'SEPARATED',
        personId: g.personId,
        text: `${g.personName} has separated from the City${person?.separatedOn ? ` (${person.separatedOn})` : ''}.`,
      });
    } else if (person.departmentCode !== account.departmentCode) {
      findings.push({ code: 'MOVED', personId: g.personId, text: `${g.personName} now works in another department (${person.departmentCode}).` });
    }
  }
  if (active.some((g) => g.receivesCredential)) {
    if (!account.credentialChangedAt) {
      findings.push({ code: 'CREDENTIAL_UNKNOWN', text: 'No change of the shared password is on record (C, O.b): ask DTI to have it changed.' });
    } else if (daysBetween(account.credentialChangedAt, now) > p.credentialMaxAgeDays) {
      findings.push({
        code: 'CREDENTIAL_STALE',
        text: `The shared password was last changed ${account.credentialChangedAt.slice(0, 10)}, over ${p.credentialMaxAgeDays} days ago (C, O.b): ask DTI to have it changed.`,
      });
    }
  }
  if (isRetired(input.platform)) {
    findings.push({
      code: 'PLATFORM_RETIRED',
      text: `DTI retired ${account.platformName}${input.platform?.retiredReason ? `: ${input.platform.retiredReason}` : ''} (O.a).`,
    });
  } else if (input.platform && missingDocuments(input.platform).length) {
    findings.push({
      code: 'PLATFORM_INCOMPLETE',
      text: `${account.platformName} lacks some of its P documents (${missingDocuments(input.platform)
        .map((k) => platformDocumentTitles[k])
        .join(', ')}).`,
    });
  }
  if (!input.lastActivityAt || daysBetween(input.lastActivityAt, now) > p.inactiveAfterDays) {
    findings.push({
      code: 'NO_ACTIVITY',
      text: input.lastActivityAt
        ? `Nothing recorded since ${input.lastActivityAt.slice(0, 10)}: no removal, correction, moderation or grant change in ${p.inactiveAfterDays} days.`
        : 'Nothing recorded for it yet: no removal, correction, moderation or grant change.',
    });
  }
  const standings = inForce(input.standings ?? []).active.map(standingLine);
  return {
    accountId: account.accountId,
    label: `${account.platformName} ${account.handle}`,
    platformId: account.platformId,
    platformName: account.platformName,
    grants: active.map((g) => ({
      personId: g.personId,
      personName: g.personName,
      role: g.role,
      receivesCredential: g.receivesCredential,
      sourceRequestId: g.sourceRequestId,
    })),
    findings,
    ...(standings.length ? { standings } : {}),
  };
}

/** What DTI is shown about one approved platform (O.a, P). */
export function platformFindings(platform: Platform, accounts: number, now: Date, p: Policy = policy): PlatformLine {
  const limits = p.annualReview;
  const findings: Finding[] = [];
  const agreement = platform.usageAgreement;
  if (!agreement) findings.push({ code: 'AGREEMENT_STALE', text: 'No usage agreement or terms of service on record (O.a).' });
  else if (daysBetween(agreement.reviewedOn, now) > limits.usageAgreementMaxAgeDays) {
    findings.push({
      code: 'AGREEMENT_STALE',
      text: `Its usage agreement was last reviewed ${agreement.reviewedOn}, over ${limits.usageAgreementMaxAgeDays} days ago (O.a).`,
    });
  }
  for (const kind of platformDocumentKinds) {
    const doc = platform.documents?.[kind];
    if (!doc?.url) findings.push({ code: 'DOCUMENT_MISSING', text: `${platformDocumentTitles[kind]}: none adopted (P).` });
    else if (daysBetween(doc.adoptedOn, now) > limits.platformDocumentMaxAgeDays) {
      findings.push({
        code: 'DOCUMENT_STALE',
        text: `${platformDocumentTitles[kind]}: adopted ${doc.adoptedOn}, over ${limits.platformDocumentMaxAgeDays} days ago (P).`,
      });
    }
  }
  return { platformId: platform.id, name: platform.name, accounts, findings };
}

/**
 * A page as it reads now: an account whose platform DTI has retired since the page opened gets the
 * PLATFORM_RETIRED finding too, and keeps every question (the page itself is never rewritten).
 */
export function withRetiredPlatforms<P extends ReviewPage>(page: P, platforms: readonly Platform[]): P {
  if (page.kind !== 'DEPARTMENT') return page;
  const retired = new Map(platforms.filter((p) => isRetired(p)).map((p) => [p.id, p]));
  if (retired.size === 0) return page;
  const accounts = page.accounts.map((line) => {
    const platform = retired.get(line.platformId);
    if (!platform || line.findings.some((f) => f.code === 'PLATFORM_RETIRED')) return line;
    const text = `DTI retired ${line.platformName} during this review${platform.retiredReason ? `: ${platform.retiredReason}` : ''} (O.a).`;
    return { ...line, findings: [...line.findings.filter((f) => f.code !== 'PLATFORM_INCOMPLETE'), { code: 'PLATFORM_RETIRED' as const, text }] };
  });
  return { ...page, accounts };
}
