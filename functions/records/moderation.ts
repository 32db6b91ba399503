import { ForbiddenError, InvalidInputError } from '#core/errors';
import { fieldErrors, submissionIdSchema } from '#core/request';
import { type Person, type Policy, policy, type RoleHolder } from '#core/policy';
import { type GovernanceRecord, type ModerationRemoval, makeRecord, type PostEdit, sameLineBreaks } from '#core/records';
import { type Account, type Grant, isActive } from '#core/registry';
import * as z from '#core/zod';

/**
 * Moderation (K) and corrections (M.b): neither needs anyone's approval and neither tells the
 * constituent (K: "may be removed without notice"), but each is always a record (H), written once
 * with its checksum. K's categories come from policy.moderation.categories, the same list the
 * public guidelines page shows (L), so what is shown and what is enforced cannot drift.
 */

export type ModerationCategory = Policy['moderation']['categories'][number];

/** "a, b, …, l: a — Posts not topically…; b — …": every valid category, for a person to choose from. */
export function categoryChoices(p: Policy = policy): string {
  const cs = p.moderation.categories;
  return `${cs.map((c) => c.id).join(', ')}: ${cs.map((c) => `${c.id} — ${c.label}`).join('; ')}`;
}

export function moderationCategory(id: string, p: Policy = policy): ModerationCategory | undefined {
  return p.moderation.categories.find((c) => c.id === id);
}

const text = (name: string, min: number, max: number, what = `${name} is required`) =>
  z
    .string({ error: what })
    .check(
      sameLineBreaks,
      z.trim(),
      z.minLength(min, min > 1 ? `${what} (at least ${min} characters)` : what),
      z.maxLength(max, `keep ${name} to ${max.toLocaleString('en-US')} characters or fewer`),
    );

/** The moderation form (K), as the Communications Director or designee fills it in. */
export function moderationFormSchema(p: Policy = policy) {
  const ids = p.moderation.categories.map((c) => c.id);
  const unknownCategory = `category must be one of ${categoryChoices(p)}`;
  return z.object({
    submissionId: submissionIdSchema,
    category: z.string({ error: unknownCategory }).check(
      z.trim(),
      z.refine((id) => ids.includes(id), unknownCategory),
    ),
    location: text('location', 1, 2000, 'say where it was: the post or comment URL, or where on the account it appeared'),
    content: text('content', 1, 20_000, 'copy the content as it stood before removal'),
    author: z.optional(
      z.string({ error: 'author is the name shown with the post, or empty' }).check(z.trim(), z.maxLength(200, 'keep author to 200 characters or fewer')),
    ),
    justification: text('justification', 10, 500, 'say which part of rule K the content meets and how, not what you think of the speaker or their view'),
  });
}

export type ModerationForm = z.infer<ReturnType<typeof moderationFormSchema>>;

/** Validates the moderation form; InvalidInputError with one message per field to fix. */
export function parseModerationForm(raw: Record<string, unknown>, p: Policy = policy): ModerationForm {
  const result = moderationFormSchema(p).safeParse(raw);
  if (!result.success) throw new InvalidInputError('The form has fields to fix.', fieldErrors(result.error));
  return result.data;
}

/** Who may remove a constituent's post or comment (K): the Communications Director's role holder and designee. */
export function moderatorIds(roleHolders: RoleHolder[]): string[] {
  const holder = roleHolders.find((r) => r.role === 'COMMUNICATIONS_DIRECTOR');
  return holder ? [...new Set([holder.holderId, holder.designeeId].filter(Boolean))] : [];
}

/** Whether this person may record a moderation removal (K): the Communications Director or their designee. */
export const isModerator = (person: Pick<Person, 'id'>, roleHolders: RoleHolder[]) => moderatorIds(roleHolders).includes(person.id);

/**
 * Only the Communications Director or their designee may record a moderation removal (K); anyone
 * else is refused (403) with who may. `moderators` are those people as the directory has them, for
 * the message.
 */
export function mayModerate(person: Person, roleHolders: RoleHolder[], moderators: Pick<Person, 'id' | 'name'>[] = []): void {
  const ids = moderatorIds(roleHolders);
  if (isModerator(person, roleHolders)) return;
  const named = ids.map((id) => moderators.find((m) => m.id === id)?.name).filter((n): n is string => Boolean(n));
  throw new ForbiddenError(
    `Only the Communications Director or their designee${named.length ? ` (${named.join(', ')})` : ''} may remove a constituent's post or comment and record it (K). Ask them to record this removal.`,
  );
}

/** The record of a removal: the category with its label as configured when it was removed. */
export function moderationRecord(input: { account: Account; person: Person; form: ModerationForm; now: Date; p?: Policy }): GovernanceRecord {
  const { account, person, form, now } = input;
  const category = moderationCategory(form.category, input.p);
  // The schema only lets configured ids through, so this is a programming error, not bad input.
  if (!category) throw new Error(`moderation category ${form.category} is not configured`);
  const moderation: ModerationRemoval = {
    category: category.id,
    categoryLabel: category.label,
    location: form.location,
    content: form.content,
    ...(form.author ? { author: form.author } : {}),
    justification: form.justification,
  };
  return makeRecord({ kind: 'MODERATION', ...filedUnder(account, person, now), moderation }, now, submissionSeed(person, 'MODERATION', form.submissionId));
}

/** A correction of an earlier post (M.b): which post, the text before and after, and why. */
export const postEditFormSchema = z.object({
  submissionId: submissionIdSchema,
  postRef: text('postRef', 1, 2000, "give the post's URL or platform id"),
  before: text('before', 1, 20_000, 'copy the post as it stood before the change'),
  after: text('after', 1, 20_000, 'give the post as it reads after the change'),
  why: text('why', 5, 2000, 'say why the post was changed'),
});

export type PostEditForm = z.infer<typeof postEditFormSchema>;

/** Validates the correction form: each field, and that something changed (M.b: identify the change). */
export function parsePostEditForm(raw: Record<string, unknown>): PostEditForm {
  const result = postEditFormSchema.safeParse(raw);
  const fields = result.success ? {} : fieldErrors(result.error);
  if (result.success && result.data.before === result.data.after) {
    fields.after = 'after is the same as before; record the post as it reads after the change';
  }
  if (!result.success || Object.keys(fields).length > 0) throw new InvalidInputError('The form has fields to fix.', fields);
  return result.data;
}

/** Whether this person holds posting authority on the account (an active grant, B), which lets them record a correction (M.b). */
export const canRecordEdit = (person: Pick<Person, 'id'>, account: Pick<Account, 'accountId'>, grants: Grant[]) =>
  grants.some((g) => isActive(g) && g.accountId === account.accountId && g.personId === person.id);

/**
 * Only someone with posting authority on the account (an active grant, B) may record a correction
 * of its posts, as for asking to remove one (M.c); anyone else is refused (403) with whom to ask.
 */
export function mayRecordEdit(person: Person, account: Account, grants: Grant[]): void {
  const active = grants.filter((g) => isActive(g) && g.accountId === account.accountId);
  if (canRecordEdit(person, account, grants)) return;
  const admins = active.filter((g) => g.role === 'ADMIN').map((g) => g.personName);
  throw new ForbiddenError(
    `Only someone with posting authority on ${accountLabel(account)} (B) may record a correction of its posts.${
      admins.length ? ` Ask one of its admins (${admins.join(', ')}) to record it, or ask them for posting authority.` : ''
    }`,
  );
}

export function postEditRecord(input: { account: Account; person: Person; form: PostEditForm; now: Date }): GovernanceRecord {
  const { account, person, form, now } = input;
  const edit: PostEdit = { postRef: form.postRef, before: form.before, after: form.after, why: form.why };
  return makeRecord({ kind: 'POST_EDIT', ...filedUnder(account, person, now), edit }, now, submissionSeed(person, 'POST_EDIT', form.submissionId));
}

export const accountLabel = (account: Pick<Account, 'platformName' | 'handle'>) => `${account.platformName} ${account.handle}`;

function filedUnder(account: Account, person: Person, now: Date) {
  return {
    accountId: account.accountId,
    accountLabel: accountLabel(account),
    departmentCode: account.departmentCode,
    departmentName: account.departmentName,
    recordedAt: now.toISOString(),
    recordedById: person.id,
    recordedByName: person.name,
  };
}

/** A form sent twice (a refresh of the confirmation page, a double click, a retry) makes one record. */
const submissionSeed = (person: Person, kind: GovernanceRecord['kind'], submissionId: string | undefined) =>
  submissionId ? `${person.id}\u0000${kind}\u0000${submissionId}` : undefined;
