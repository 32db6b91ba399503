import type { AccountAnswer, AccountLine, Change, DepartmentPage, PlatformAnswer, PlatformPage, ReviewPage, Unanswered } from '#annual-review/model';
import * as z from '#core/zod';

/**
 * A page's answers: what a POST may say (only its own accounts, grants and platforms), how a save
 * merges over what was saved, what is still unanswered, and the changes the answers make.
 */

const yesNo = z.optional(z.enum(['yes', 'no']));

/** One form field per question, `a.<accountId>.<question>` (and `.keep.<personId>`), as the page posts them. */
export function parseDepartmentAnswers(
  page: DepartmentPage,
  body: Record<string, unknown>,
): { answers: Record<string, AccountAnswer>; errors: Record<string, string> } {
  const known = new Map(page.accounts.map((a) => [a.accountId, a]));
  const answers: Record<string, AccountAnswer> = {};
  const errors: Record<string, string> = {};
  for (const [field, value] of Object.entries(body)) {
    const match = /^a\.([^.]+)\.(inUse|officialSite|purposeNotice|newAdminEmail|keep)(?:\.([A-Za-z0-9-]{1,20}))?$/.exec(field);
    if (!match) continue;
    const [, accountId = '', question = '', personId] = match;
    const account = known.get(accountId);
    if (!account) {
      errors[field] = `${accountId} is not one of the accounts on this review.`;
      continue;
    }
    answers[accountId] ??= {};
    const answer = answers[accountId];
    const text = typeof value === 'string' ? value.trim() : '';
    if (!text) continue;
    if (question === 'keep') {
      if (!personId || !account.grants.some((g) => g.personId === personId)) {
        errors[field] = `That person holds no posting authority on ${account.label} on this review.`;
        continue;
      }
      const parsed = yesNo.safeParse(text);
      if (!parsed.success) errors[field] = 'Answer yes or no.';
      else answer.keep = { ...answer.keep, [personId]: parsed.data as 'yes' | 'no' };
    } else if (question === 'newAdminEmail') {
      if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(text)) errors[field] = 'Give the new admin\u2019s City email address, e.g. name@cabq.gov.';
      else answer.newAdminEmail = text.toLowerCase();
    } else {
      const parsed = yesNo.safeParse(text);
      if (!parsed.success) errors[field] = 'Answer yes or no.';
      else answer[question as 'inUse' | 'officialSite' | 'purposeNotice'] = parsed.data as 'yes' | 'no';
    }
  }
  return { answers, errors };
}

/** Saved answers with the newly posted ones over them (a partial save keeps what was there). */
export function mergeDepartmentAnswers(saved: Record<string, AccountAnswer>, posted: Record<string, AccountAnswer>): Record<string, AccountAnswer> {
  const merged: Record<string, AccountAnswer> = structuredClone(saved);
  for (const [accountId, answer] of Object.entries(posted)) {
    merged[accountId] ??= {};
    const into = merged[accountId];
    const keep = { ...(into.keep ?? {}), ...(answer.keep ?? {}) };
    // A new email replaces the person it named before; the handler resolves it again.
    if (answer.newAdminEmail && answer.newAdminEmail !== into.newAdminEmail) {
      delete into.newAdminId;
      delete into.newAdminName;
    }
    Object.assign(into, { ...answer, keep });
  }
  return merged;
}

const adminsKept = (account: AccountLine, answer: AccountAnswer) =>
  account.grants.filter((g) => g.role === 'ADMIN' && answer.keep?.[g.personId] !== 'no').length;

/** The questions of one account still unanswered (an account going to retirement needs nothing else). */
export function missingAnswers(account: AccountLine, answer: AccountAnswer = {}): Unanswered[] {
  const f = (q: string) => `a.${account.accountId}.${q}`;
  if (!answer.inUse) return [{ field: f('inUse'), text: `${account.label}: say whether it is still in use and needed` }];
  if (answer.inUse === 'no') return [];
  const missing: Unanswered[] = [];
  for (const g of account.grants) {
    if (!answer.keep?.[g.personId])
      missing.push({ field: `${f('keep')}.${g.personId}`, text: `${account.label}: say whether ${g.personName} still needs posting authority` });
  }
  if (adminsKept(account, answer) < 2 && !answer.newAdminId) {
    missing.push({ field: f('newAdminEmail'), text: `${account.label}: it would have fewer than two admins; name a second admin by email` });
  }
  if (!answer.officialSite)
    missing.push({ field: f('officialSite'), text: `${account.label}: say whether it still shows the official-site characteristics (E)` });
  if (!answer.purposeNotice) missing.push({ field: f('purposeNotice'), text: `${account.label}: say whether it still shows the purpose notice (J)` });
  return missing;
}

export const unansweredOf = (account: AccountLine, answer?: AccountAnswer) => missingAnswers(account, answer).map((m) => m.text);

export function missingPlatformAnswers(page: PlatformPage, answers: Record<string, PlatformAnswer> = page.answers): Unanswered[] {
  return page.platforms.flatMap((pl) => {
    const a = answers[pl.platformId];
    if (!a?.decision) return [{ field: `p.${pl.platformId}.decision`, text: `${pl.name}: choose keep, keep with changes, or retire` }];
    if (a.decision !== 'KEEP' && !a.note) {
      return [{ field: `p.${pl.platformId}.note`, text: `${pl.name}: say ${a.decision === 'RETIRE' ? 'why it is retired' : 'what changed'}` }];
    }
    return [];
  });
}

export const unansweredPlatforms = (page: PlatformPage, answers?: Record<string, PlatformAnswer>) => missingPlatformAnswers(page, answers).map((m) => m.text);

/** Every unanswered question of a page, with the answers given so far. */
export function missingOnPage(page: ReviewPage, answers: ReviewPage['answers'] = page.answers): Unanswered[] {
  return page.kind === 'PLATFORMS'
    ? missingPlatformAnswers(page, answers as Record<string, PlatformAnswer>)
    : page.accounts.flatMap((a) => missingAnswers(a, (answers as Record<string, AccountAnswer>)[a.accountId]));
}

export function parsePlatformAnswers(
  page: PlatformPage,
  body: Record<string, unknown>,
): { answers: Record<string, PlatformAnswer>; errors: Record<string, string> } {
  const known = new Set(page.platforms.map((p) => p.platformId));
  const answers: Record<string, PlatformAnswer> = {};
  const errors: Record<string, string> = {};
  for (const [field, value] of Object.entries(body)) {
    const match = /^p\.([^.]+)\.(decision|note)$/.exec(field);
    if (!match) continue;
    const [, platformId = '', question] = match;
    if (!known.has(platformId)) {
      errors[field] = `${platformId} is not one of the platforms on this review.`;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    answers[platformId] ??= {};
    const answer = answers[platformId];
    if (question === 'decision' && text) {
      if (text === 'KEEP' || text === 'CHANGE' || text === 'RETIRE') answer.decision = text;
      else errors[field] = 'Choose keep, keep with changes, or retire.';
    } else if (question === 'note' && text) {
      if (text.length > 1000) errors[field] = 'Keep it under 1,000 characters.';
      else answer.note = text;
    }
  }
  return { answers, errors };
}

/** Every change the answers ask for, in the order they are made. An account going to retirement has all its grants revoked with it. */
export function changesOf(page: DepartmentPage): Change[] {
  return page.accounts.flatMap((account): Change[] => {
    const answer = page.answers[account.accountId] ?? {};
    if (answer.inUse === 'no') return [{ kind: 'retire-account', accountId: account.accountId, label: account.label }];
    const revokes = account.grants
      .filter((g) => answer.keep?.[g.personId] === 'no')
      .map(
        (g): Change => ({ kind: 'revoke', accountId: account.accountId, label: account.label, personId: g.personId, personName: g.personName, role: g.role }),
      );
    const appoint: Change[] =
      answer.newAdminId && adminsKept(account, answer) < 2
        ? [
            {
              kind: 'appoint',
              accountId: account.accountId,
              label: account.label,
              personId: answer.newAdminId,
              personName: answer.newAdminName ?? answer.newAdminId,
            },
          ]
        : [];
    return [...revokes, ...appoint];
  });
}

export function changeText(change: Change): string {
  if (change.kind === 'retire-account') return `${change.label}: retired, every grant revoked (its records are kept)`;
  if (change.kind === 'revoke') return `${change.label}: ${change.personName}'s posting authority (${change.role.toLowerCase()}) revoked`;
  return `${change.label}: ${change.personName} made an admin`;
}
