import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import {
  isRetired,
  type Platform,
  type PlatformChange,
  type PlatformDocument,
  type PlatformDocumentKind,
  type PlatformFieldChange,
  platformDocumentKinds,
  platformDocumentTitles,
  platformIdPattern,
  type UsageAgreement,
} from '#core/platform';
import type { Person } from '#core/policy';
import { fieldErrors } from '#core/request';
import * as z from '#core/zod';

/**
 * DTI's list of approved social media platforms (O.a) and the documents rule P asks for each: who
 * may change it, the add/edit and retire forms, and what a change changed, field by field. No
 * AWS here: the handler (handlers/manage-platforms.ts) reads and writes through PlatformStore.
 */

// Who ---------------------------------------------------------------------------------------------

/** DTI maintains the list (O.a): exactly the people of the DTI department. */
export const mayManagePlatforms = (person: Pick<Person, 'departmentCode'>) => person.departmentCode === 'DTI';

/** Refuses (403) anyone but DTI, before any form is shown or anything is read from a POST. */
export function assertMayManagePlatforms(person: Pick<Person, 'name' | 'departmentCode'>): void {
  if (mayManagePlatforms(person)) return;
  throw new ForbiddenError(
    `Only DTI staff add, edit or retire platforms on the approved list (O.a); ${person.name} is not in DTI. Everyone may read the list at /platforms; ask DTI for a change.`,
  );
}

// The forms ---------------------------------------------------------------------------------------

/** The form's field for each document kind's address and adoption date (flat, as a browser posts them). */
export const documentFields = Object.fromEntries(platformDocumentKinds.map((kind) => [kind, { url: `${kind}Url`, adoptedOn: `${kind}AdoptedOn` }])) as Record<
  PlatformDocumentKind,
  { url: string; adoptedOn: string }
>;

/** The add/edit form's fields, in the order the page shows them (the error summary follows it). */
export const platformFormFields = [
  'id',
  'name',
  'siteUrl',
  'agreementTitle',
  'agreementUrl',
  'agreementReviewedOn',
  ...platformDocumentKinds.flatMap((kind) => [documentFields[kind].url, documentFields[kind].adoptedOn]),
] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v);

/** An https address with a host and no credentials in it. */
export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.includes('.') && !url.username && !url.password;
  } catch {
    return false;
  }
}

const isCalendarDay = (d: string) => {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T00:00:00Z`) : undefined;
  return Boolean(t && !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d));
};

const denverDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' });

/** Today in Albuquerque, YYYY-MM-DD: the latest day a review or an adoption can be dated. */
export const denverToday = (now: Date) => denverDay.format(now);

const text = (what: string, max: number) =>
  z.pipe(z.transform(blankToUndefined), z.string({ error: `give the ${what}` }).check(z.maxLength(max, `keep the ${what} to ${max} characters or fewer`)));

const httpsUrl = (what: string) =>
  z
    .string({ error: `give the ${what} as an https:// address` })
    .check(
      z.maxLength(500, `keep the ${what} to 500 characters or fewer`),
      z.refine(isHttpsUrl, `give the ${what} as an https:// address, for example https://www.example.com/terms`),
    );

const pastDay = (what: string, today: string) =>
  z.string({ error: `give the day ${what} as YYYY-MM-DD` }).check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, `give the day ${what} as YYYY-MM-DD`),
    z.refine(isCalendarDay, `the day ${what} is not a calendar date`),
    z.refine((d) => !isCalendarDay(d) || d <= today, `the day ${what} is in the future; give a day no later than today (${today})`),
  );

const required = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(blankToUndefined), schema);
const optional = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(blankToUndefined), z.optional(schema));

/** The version a form was made from (a hidden field): a change is made only if it is still the platform's version. */
const versionSchema = z.pipe(
  z.transform((v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v) : v)),
  z.number({ error: 'reload the page and make the change again: the form does not say which version it changes' }).check(z.int(), z.minimum(0)),
);

/**
 * The add and edit form (O.a, P). The usage agreement is required; each P document is optional
 * (a platform without all three is shown as incomplete), but an address needs its adoption day and
 * a day its address. `today` (Albuquerque) bounds every date: nothing is reviewed or adopted later.
 */
export function platformFormSchema(input: { today: string; adding: boolean }) {
  const { today } = input;
  const documents = Object.fromEntries(
    platformDocumentKinds.flatMap((kind) => {
      const title = platformDocumentTitles[kind].toLowerCase();
      return [
        [documentFields[kind].url, optional(httpsUrl(`${title} address`))],
        [documentFields[kind].adoptedOn, optional(pastDay(`the City adopted the ${title}`, today))],
      ];
    }),
  ) as Record<string, z.ZodMiniType<string | undefined>>;
  return z
    .object({
      ...(input.adding
        ? {
            id: required(
              z.string({ error: 'give the platform an id' }).check(
                z.regex(platformIdPattern, 'use 1 to 40 lowercase letters, digits or dashes for the id, for example threads'),
                // /platforms/new is the add form's own address.
                z.refine((id) => id !== 'new', 'the id “new” is taken by the add form’s address; choose another'),
              ),
            ),
          }
        : { version: versionSchema }),
      name: text('platform name', 80),
      siteUrl: required(httpsUrl('site address')),
      agreementTitle: text('title of the usage agreement or terms of service', 200),
      agreementUrl: required(httpsUrl('usage agreement address')),
      agreementReviewedOn: required(pastDay('DTI last reviewed the usage agreement', today)),
      ...documents,
    })
    .check(
      z.superRefine((form, ctx) => {
        const values = form as Record<string, unknown>;
        for (const kind of platformDocumentKinds) {
          const { url, adoptedOn } = documentFields[kind];
          const title = platformDocumentTitles[kind].toLowerCase();
          if (values[url] && !values[adoptedOn])
            ctx.addIssue({
              code: 'custom',
              path: [adoptedOn],
              message: `give the day the City adopted the ${title} as YYYY-MM-DD, or leave its address empty too`,
            });
          if (values[adoptedOn] && !values[url])
            ctx.addIssue({ code: 'custom', path: [url], message: `give the ${title} address, or leave its adoption day empty too` });
        }
      }),
    );
}

/** What the add/edit form gives, shaped as a platform's fields. */
export interface PlatformForm {
  /** Only when adding: the id is fixed once added. */
  id?: string;
  /** Only when editing: the version the form was made from. */
  version?: number;
  name: string;
  siteUrl: string;
  usageAgreement: UsageAgreement;
  documents: Partial<Record<PlatformDocumentKind, PlatformDocument>>;
}

/** Validates the add (adding) or edit form; InvalidInputError with one message per field to fix. */
export function parsePlatformForm(raw: Record<string, unknown>, input: { today: string; adding: boolean }): PlatformForm {
  const result = platformFormSchema(input).safeParse(raw);
  if (!result.success) throw new InvalidInputError('The form has fields to fix.', inFormOrder(fieldErrors(result.error)));
  const v = result.data as Record<string, string | number | undefined>;
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const documents: PlatformForm['documents'] = {};
  for (const kind of platformDocumentKinds) {
    const url = str(documentFields[kind].url);
    if (url) documents[kind] = { url, adoptedOn: str(documentFields[kind].adoptedOn) };
  }
  return {
    ...(input.adding ? { id: str('id') } : { version: Number(v.version) }),
    name: str('name'),
    siteUrl: str('siteUrl'),
    usageAgreement: { title: str('agreementTitle'), url: str('agreementUrl'), reviewedOn: str('agreementReviewedOn') },
    documents,
  };
}

const inFormOrder = (fields: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(fields).sort(([a], [b]) => (platformFormFields as readonly string[]).indexOf(a) - (platformFormFields as readonly string[]).indexOf(b)),
  );

/** The retire form: why (kept on record and shown with the platform), and the version it retires. */
const retireFormSchema = z.object({
  version: versionSchema,
  reason: z.pipe(
    z.transform(blankToUndefined),
    z
      .string({ error: 'say why the platform is retired: the reason is kept on record and shown to everyone' })
      .check(z.minLength(10, 'say why the platform is retired in at least 10 characters'), z.maxLength(1000, 'keep the reason to 1,000 characters or fewer')),
  ),
});

export function parseRetireForm(raw: Record<string, unknown>): { version: number; reason: string } {
  const result = retireFormSchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError('The form has fields to fix.', fieldErrors(result.error));
  return result.data;
}

/** The platform's values as the edit form shows them, so it opens filled in with what is on record. */
export function formValuesOf(platform: Platform): Record<string, string> {
  const values: Record<string, string> = {
    id: platform.id,
    name: platform.name,
    siteUrl: platform.siteUrl ?? '',
    agreementTitle: platform.usageAgreement?.title ?? '',
    agreementUrl: platform.usageAgreement?.url ?? '',
    agreementReviewedOn: platform.usageAgreement?.reviewedOn ?? '',
    version: String(platform.version ?? 0),
  };
  for (const kind of platformDocumentKinds) {
    values[documentFields[kind].url] = platform.documents?.[kind]?.url ?? '';
    values[documentFields[kind].adoptedOn] = platform.documents?.[kind]?.adoptedOn ?? '';
  }
  return values;
}

// Changes -----------------------------------------------------------------------------------------

/** Every field a change can touch, in the order a change lists them, with how a person reads it. */
const changeableFields: readonly { field: string; label: string; of: (p: Partial<Platform>) => string | undefined }[] = [
  { field: 'name', label: 'Name', of: (p) => p.name },
  { field: 'status', label: 'Status', of: (p) => p.status },
  { field: 'siteUrl', label: 'Site', of: (p) => p.siteUrl },
  { field: 'usageAgreement.title', label: 'Usage agreement', of: (p) => p.usageAgreement?.title },
  { field: 'usageAgreement.url', label: 'Usage agreement address', of: (p) => p.usageAgreement?.url },
  { field: 'usageAgreement.reviewedOn', label: 'Usage agreement reviewed by DTI on', of: (p) => p.usageAgreement?.reviewedOn },
  ...platformDocumentKinds.flatMap((kind) => [
    { field: `documents.${kind}.url`, label: `${platformDocumentTitles[kind]} address`, of: (p: Partial<Platform>) => p.documents?.[kind]?.url },
    { field: `documents.${kind}.adoptedOn`, label: `${platformDocumentTitles[kind]} adopted on`, of: (p: Partial<Platform>) => p.documents?.[kind]?.adoptedOn },
  ]),
];

/** What differs between two versions of a platform, field by field; an absent value is null. */
export function diffPlatforms(before: Partial<Platform> | undefined, after: Partial<Platform>): PlatformFieldChange[] {
  return changeableFields.flatMap(({ field, label, of }) => {
    const was = (before ? of(before) : undefined) ?? null;
    const is = of(after) ?? null;
    return was === is ? [] : [{ field, label, before: was, after: is }];
  });
}

/** "Site: https://a → https://b", "Branding standards address: (none) → https://…": one change as a line. */
export const changeLine = (c: PlatformFieldChange) => `${c.label}: ${c.before ?? '(none)'} → ${c.after ?? '(none)'}`;

type Author = Pick<Person, 'id' | 'name'>;
const stamped = (by: Author, at: string) => ({ updatedAt: at, updatedById: by.id, updatedByName: by.name });

/** A new platform on the list, approved, at version 1, and the change that records it. */
export function addedPlatform(input: { form: PlatformForm; by: Author; now: Date }): { platform: Platform; change: PlatformChange } {
  const { form, by } = input;
  const at = input.now.toISOString();
  const platform: Platform = {
    id: form.id ?? '',
    name: form.name,
    approved: true,
    status: 'APPROVED',
    siteUrl: form.siteUrl,
    usageAgreement: form.usageAgreement,
    documents: form.documents,
    version: 1,
    ...stamped(by, at),
  };
  return { platform, change: changeOf(undefined, platform, 'ADDED', by, at) };
}

/**
 * A platform a department proposed (O.a), added by DTI's approval of the request: approved at
 * version 1 without any P document, so it is listed as incomplete (and offered to no New Social
 * Media form) until DTI records the three on its page. Its change cites the request.
 */
export function addedByApproval(input: { platform: Omit<Platform, 'approved' | 'status' | 'version'>; requestId: string; by: Author; at: string }): {
  platform: Platform;
  change: PlatformChange;
} {
  const { by, at } = input;
  const platform: Platform = { ...input.platform, approved: true, status: 'APPROVED', documents: {}, version: 1, ...stamped(by, at) };
  const reason = `Added by approval of ${input.requestId}`;
  return { platform, change: { ...changeOf(undefined, platform, 'ADDED', by, at), reason, requestId: input.requestId } };
}

/**
 * Refuses (409) a change made from a version that is no longer the platform's, or to a retired
 * platform (retiring is final). Checked before the write; the write's condition checks it again.
 */
export function assertChangeable(current: Platform, fromVersion: number): void {
  if (isRetired(current)) {
    throw new ConflictError(
      `${current.name} was retired on ${current.retiredAt?.slice(0, 10) ?? 'an earlier day'}; a retired platform stays on record and is not changed.`,
    );
  }
  if ((current.version ?? 0) !== fromVersion) throw new StalePlatformError(current);
}

/** Someone else changed the platform after this form was opened: nothing was changed; the current values are shown. */
export class StalePlatformError extends ConflictError {
  constructor(readonly current: Platform) {
    super(
      `Someone else changed ${current.name} after you opened the form${current.updatedByName ? ` (${current.updatedByName}, version ${current.version ?? 0})` : ''}. Nothing was changed: check the current values below and make your change again if it is still needed.`,
    );
  }
}

/** The edited platform and its change, or undefined when the form changes nothing. */
export function editedPlatform(input: {
  current: Platform;
  form: PlatformForm;
  by: Author;
  now: Date;
}): { platform: Platform; change: PlatformChange } | undefined {
  const { current, form, by } = input;
  assertChangeable(current, form.version ?? -1);
  const at = input.now.toISOString();
  const next: Platform = {
    ...current,
    name: form.name,
    siteUrl: form.siteUrl,
    usageAgreement: form.usageAgreement,
    documents: form.documents,
    version: (current.version ?? 0) + 1,
    ...stamped(by, at),
  };
  if (diffPlatforms(current, next).length === 0) return undefined;
  return { platform: next, change: changeOf(current, next, 'EDITED', by, at) };
}

/** The platform retired (no longer offered for new accounts; kept, with its accounts, on record) and its change. */
export function retiredPlatform(input: { current: Platform; version: number; reason: string; by: Author; now: Date }): {
  platform: Platform;
  change: PlatformChange;
} {
  const { current, by, reason } = input;
  assertChangeable(current, input.version);
  const at = input.now.toISOString();
  const next: Platform = {
    ...current,
    approved: false,
    status: 'RETIRED',
    retiredAt: at,
    retiredReason: reason,
    retiredById: by.id,
    retiredByName: by.name,
    version: (current.version ?? 0) + 1,
    ...stamped(by, at),
  };
  return { platform: next, change: { ...changeOf(current, next, 'RETIRED', by, at), reason } };
}

/**
 * A platform DTI kept in an annual review (O.a): its usage agreement, if it has one, counts as
 * reviewed today, and the change says so (with what changed, for "keep with changes"). Undefined
 * when nothing would be recorded: no agreement to mark and no note.
 */
export function reviewedPlatform(input: {
  current: Platform;
  note: string | undefined;
  by: Author;
  now: Date;
  reviewId: string;
}): { platform: Platform; change: PlatformChange } | undefined {
  const { current, note, by } = input;
  const at = input.now.toISOString();
  const next: Platform = {
    ...current,
    ...(current.usageAgreement ? { usageAgreement: { ...current.usageAgreement, reviewedOn: denverToday(input.now) } } : {}),
    version: (current.version ?? 0) + 1,
    ...stamped(by, at),
  };
  const change = changeOf(current, next, 'EDITED', by, at);
  if (change.changes.length === 0 && !note) return undefined;
  return { platform: next, change: { ...change, reason: `Annual review ${input.reviewId}: ${note ? `kept with changes: ${note}` : 'kept'}` } };
}

function changeOf(before: Platform | undefined, after: Platform, kind: PlatformChange['kind'], by: Author, at: string): PlatformChange {
  return {
    platformId: after.id,
    platformName: after.name,
    version: after.version ?? 1,
    kind,
    at,
    byId: by.id,
    byName: by.name,
    changes: diffPlatforms(before, after),
  };
}

/** Another platform already has this name (case and spaces aside): the list names each platform once. */
export function nameTakenBy(name: string, platforms: readonly Pick<Platform, 'id' | 'name'>[], exceptId?: string): Pick<Platform, 'id' | 'name'> | undefined {
  const wanted = name.trim().toLowerCase();
  return platforms.find((p) => p.id !== exceptId && p.name.trim().toLowerCase() === wanted);
}
