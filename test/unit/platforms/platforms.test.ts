import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { isApproved, isRetired, missingDocuments, type Platform } from '#core/platform';
import {
  addedPlatform,
  assertMayManagePlatforms,
  changeLine,
  denverToday,
  diffPlatforms,
  editedPlatform,
  formValuesOf,
  isHttpsUrl,
  mayManagePlatforms,
  nameTakenBy,
  parsePlatformForm,
  parseRetireForm,
  retiredPlatform,
  reviewedPlatform,
  StalePlatformError,
} from '#platforms/platforms';
import { addPlatformPage, platformPage, platformsListPage } from '#platforms/pages';
import { viewerFor } from '#site/navigation';
import { person, roleHolders } from '../fixtures.ts';

const today = '2026-03-15';
const now = new Date('2026-03-15T18:00:00.000Z');
const dti = { id: 'E400', name: 'Samuel Ortiz' };

const addForm = {
  id: 'threads',
  name: 'Threads',
  siteUrl: 'https://www.threads.net',
  agreementTitle: 'Threads Supplemental Terms of Use',
  agreementUrl: 'https://help.instagram.com/769983657850450',
  agreementReviewedOn: '2026-03-01',
  userGuidelinesUrl: 'https://dti.cabq.example/sm/threads/guidelines',
  userGuidelinesAdoptedOn: '2026-03-02',
};

/** The fields InvalidInputError names for this form, or a failure if it is accepted. */
function refused(raw: Record<string, unknown>, adding = true): Record<string, string> {
  try {
    parsePlatformForm(raw, { today, adding });
  } catch (error) {
    if (error instanceof InvalidInputError) return error.fields;
    throw error;
  }
  throw new Error('expected the form to be refused');
}

function seeded(overrides: Partial<Platform> = {}): Platform {
  return {
    id: 'nextdoor',
    name: 'Nextdoor',
    approved: true,
    status: 'APPROVED',
    siteUrl: 'https://nextdoor.com',
    usageAgreement: { title: 'Nextdoor Public Agency Terms', url: 'https://nextdoor.com/agency_terms/', reviewedOn: '2025-08-25' },
    documents: {
      userGuidelines: { url: 'https://dti.cabq.example/sm/nextdoor/guidelines', adoptedOn: '2024-03-18' },
      accountStandards: { url: 'https://dti.cabq.example/sm/nextdoor/accounts', adoptedOn: '2024-03-18' },
    },
    version: 1,
    ...overrides,
  };
}

describe('who may change the list (O.a)', () => {
  it('lets DTI staff, and nobody else, add, edit or retire a platform', () => {
    expect(mayManagePlatforms(person('E400'))).toBe(true);
    expect(mayManagePlatforms(person('E401'))).toBe(true);
    for (const id of ['E102', 'E500', 'E600', 'E310']) expect(mayManagePlatforms(person(id)), id).toBe(false);
  });

  it('refuses anyone else with a 403 that says who may and where to read the list', () => {
    expect(() => assertMayManagePlatforms(person('E400'))).not.toThrow();
    const refusal = (() => {
      try {
        assertMayManagePlatforms(person('E102'));
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect(refusal).toMatchObject({ status: 403, message: expect.stringMatching(/^Only DTI staff .*Ana Gallegos is not in DTI.*\/platforms/) });
  });
});

describe('the add and edit form', () => {
  it('accepts a platform with its usage agreement and some of its P documents, shaped as a platform', () => {
    expect(parsePlatformForm({ ...addForm, name: '  Threads ' }, { today, adding: true })).toEqual({
      id: 'threads',
      name: 'Threads',
      siteUrl: 'https://www.threads.net',
      usageAgreement: { title: 'Threads Supplemental Terms of Use', url: 'https://help.instagram.com/769983657850450', reviewedOn: '2026-03-01' },
      documents: { userGuidelines: { url: 'https://dti.cabq.example/sm/threads/guidelines', adoptedOn: '2026-03-02' } },
    });
  });

  it('names each missing required field with what to give', () => {
    expect(refused({})).toEqual({
      id: 'give the platform an id',
      name: 'give the platform name',
      siteUrl: 'give the site address as an https:// address',
      agreementTitle: 'give the title of the usage agreement or terms of service',
      agreementUrl: 'give the usage agreement address as an https:// address',
      agreementReviewedOn: 'give the day DTI last reviewed the usage agreement as YYYY-MM-DD',
    });
  });

  it('refuses an id that is not a slug, and the add form’s own address', () => {
    expect(refused({ ...addForm, id: 'Threads Net' })).toEqual({ id: 'use 1 to 40 lowercase letters, digits or dashes for the id, for example threads' });
    expect(refused({ ...addForm, id: 'new' }).id).toMatch(/taken by the add form’s address/);
  });

  it('refuses addresses that are not https', () => {
    expect(refused({ ...addForm, siteUrl: 'http://www.threads.net' })).toEqual({
      siteUrl: 'give the site address as an https:// address, for example https://www.example.com/terms',
    });
    expect(refused({ ...addForm, agreementUrl: 'javascript:alert(1)' }).agreementUrl).toMatch(/https:\/\//);
    expect(refused({ ...addForm, userGuidelinesUrl: 'ftp://x.example/g' }).userGuidelinesUrl).toMatch(/user guidelines address as an https:\/\/ address/);
    expect(isHttpsUrl('https://user:pw@x.example/')).toBe(false);
    expect(isHttpsUrl('https://localhost/')).toBe(false);
    expect(isHttpsUrl('https://www.threads.net/terms?x=1')).toBe(true);
  });

  it('refuses dates that are malformed, not on the calendar or in the future', () => {
    expect(refused({ ...addForm, agreementReviewedOn: '03/01/2026' })).toEqual({
      agreementReviewedOn: 'give the day DTI last reviewed the usage agreement as YYYY-MM-DD',
    });
    expect(refused({ ...addForm, agreementReviewedOn: '2026-02-30' })).toEqual({
      agreementReviewedOn: 'the day DTI last reviewed the usage agreement is not a calendar date',
    });
    expect(refused({ ...addForm, agreementReviewedOn: '2026-03-16' })).toEqual({
      agreementReviewedOn: 'the day DTI last reviewed the usage agreement is in the future; give a day no later than today (2026-03-15)',
    });
    expect(refused({ ...addForm, userGuidelinesAdoptedOn: '2027-01-01' }).userGuidelinesAdoptedOn).toMatch(/City adopted the user guidelines is in the future/);
    expect(parsePlatformForm({ ...addForm, agreementReviewedOn: today }, { today, adding: true }).usageAgreement.reviewedOn).toBe(today);
  });

  it('asks for a document’s adoption day with its address, and its address with its day', () => {
    expect(refused({ ...addForm, userGuidelinesAdoptedOn: '' })).toEqual({
      userGuidelinesAdoptedOn: 'give the day the City adopted the user guidelines as YYYY-MM-DD, or leave its address empty too',
    });
    expect(refused({ ...addForm, brandingStandardsAdoptedOn: '2026-01-05' })).toEqual({
      brandingStandardsUrl: 'give the branding standards address, or leave its adoption day empty too',
    });
  });

  it('needs the version an edit was made from, and never takes an id', () => {
    const { id: _id, ...edit } = addForm;
    expect(refused(edit, false)).toEqual({ version: 'reload the page and make the change again: the form does not say which version it changes' });
    expect(parsePlatformForm({ ...edit, id: 'other', version: '3' }, { today, adding: false })).not.toHaveProperty('id');
    expect(parsePlatformForm({ ...edit, version: '3' }, { today, adding: false }).version).toBe(3);
  });

  it('asks for a retirement reason of at least 10 characters and the version retired', () => {
    const fields = (raw: Record<string, unknown>) => {
      try {
        parseRetireForm(raw);
      } catch (error) {
        if (error instanceof InvalidInputError) return error.fields;
      }
      return {};
    };
    expect(fields({ version: '2' })).toEqual({ reason: 'say why the platform is retired: the reason is kept on record and shown to everyone' });
    expect(fields({ version: '2', reason: '  short ' })).toEqual({ reason: 'say why the platform is retired in at least 10 characters' });
    expect(fields({ reason: 'The agency terms expired.' })).toHaveProperty('version');
    expect(parseRetireForm({ version: '2', reason: ' The agency terms expired. ' })).toEqual({ version: 2, reason: 'The agency terms expired.' });
  });

  it('finds a name already on the list, case and spaces aside, but not the platform’s own', () => {
    const listed = [seeded(), seeded({ id: 'x', name: 'X (Twitter)' })];
    expect(nameTakenBy(' nextdoor ', listed)?.id).toBe('nextdoor');
    expect(nameTakenBy('Nextdoor', listed, 'nextdoor')).toBeUndefined();
    expect(nameTakenBy('Threads', listed)).toBeUndefined();
  });
});

describe('changes, field by field', () => {
  it('records an addition as every given field from nothing, at version 1, by whom and when', () => {
    const { platform, change } = addedPlatform({ form: parsePlatformForm(addForm, { today, adding: true }), by: dti, now });
    expect(platform).toMatchObject({ id: 'threads', approved: true, status: 'APPROVED', version: 1, updatedById: 'E400', updatedAt: now.toISOString() });
    expect(change).toMatchObject({
      platformId: 'threads',
      platformName: 'Threads',
      version: 1,
      kind: 'ADDED',
      at: now.toISOString(),
      byId: 'E400',
      byName: 'Samuel Ortiz',
    });
    expect(change.changes.map((c) => c.field)).toEqual([
      'name',
      'status',
      'siteUrl',
      'usageAgreement.title',
      'usageAgreement.url',
      'usageAgreement.reviewedOn',
      'documents.userGuidelines.url',
      'documents.userGuidelines.adoptedOn',
    ]);
    expect(change.changes.every((c) => c.before === null)).toBe(true);
  });

  it('records only what an edit changed, before and after, and bumps the version', () => {
    const current = seeded();
    const form = parsePlatformForm(
      {
        ...formValuesOf(current),
        agreementReviewedOn: '2026-03-10',
        brandingStandardsUrl: 'https://dti.cabq.example/sm/nextdoor/branding',
        brandingStandardsAdoptedOn: '2026-03-10',
      },
      { today, adding: false },
    );
    const edited = editedPlatform({ current, form, by: dti, now });
    expect(edited?.platform).toMatchObject({ version: 2, updatedByName: 'Samuel Ortiz' });
    expect(edited?.change).toMatchObject({ kind: 'EDITED', version: 2 });
    expect(edited?.change.changes).toEqual([
      { field: 'usageAgreement.reviewedOn', label: 'Usage agreement reviewed by DTI on', before: '2025-08-25', after: '2026-03-10' },
      { field: 'documents.brandingStandards.url', label: 'Branding standards address', before: null, after: 'https://dti.cabq.example/sm/nextdoor/branding' },
      { field: 'documents.brandingStandards.adoptedOn', label: 'Branding standards adopted on', before: null, after: '2026-03-10' },
    ]);
    expect(changeLine(edited?.change.changes[0] ?? { field: '', label: '', before: null, after: null })).toBe(
      'Usage agreement reviewed by DTI on: 2025-08-25 → 2026-03-10',
    );
  });

  it('records a document removed as its address and day to nothing', () => {
    const current = seeded();
    const values = { ...formValuesOf(current), userGuidelinesUrl: '', userGuidelinesAdoptedOn: '' };
    const edited = editedPlatform({ current, form: parsePlatformForm(values, { today, adding: false }), by: dti, now });
    expect(edited?.change.changes.map(changeLine)).toEqual([
      'User guidelines address: https://dti.cabq.example/sm/nextdoor/guidelines → (none)',
      'User guidelines adopted on: 2024-03-18 → (none)',
    ]);
    expect(edited && missingDocuments(edited.platform)).toEqual(['userGuidelines', 'brandingStandards']);
  });

  it('makes no change when the form has the values on record', () => {
    const current = seeded();
    expect(editedPlatform({ current, form: parsePlatformForm(formValuesOf(current), { today, adding: false }), by: dti, now })).toBeUndefined();
  });

  it('refuses a change made from an older version as stale (409), carrying the current platform', () => {
    const current = seeded({ version: 3, updatedByName: 'Julia Vigil' });
    const form = parsePlatformForm({ ...formValuesOf(current), version: '2', name: 'Nextdoor Agency' }, { today, adding: false });
    const error = (() => {
      try {
        editedPlatform({ current, form, by: dti, now });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StalePlatformError);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      status: 409,
      current: { version: 3 },
      message: expect.stringMatching(/Someone else changed Nextdoor .*Julia Vigil, version 3.*Nothing was changed/),
    });
    expect(() => retiredPlatform({ current, version: 1, reason: 'The agency terms expired.', by: dti, now })).toThrow(StalePlatformError);
  });

  it('retires a platform with its reason, who and when, off the approved list for good', () => {
    const { platform, change } = retiredPlatform({ current: seeded(), version: 1, reason: 'The agency terms expired.', by: dti, now });
    expect(platform).toMatchObject({
      status: 'RETIRED',
      approved: false,
      retiredAt: now.toISOString(),
      retiredReason: 'The agency terms expired.',
      retiredById: 'E400',
      retiredByName: 'Samuel Ortiz',
      version: 2,
    });
    expect(isRetired(platform)).toBe(true);
    expect(isApproved(platform)).toBe(false);
    expect(change).toMatchObject({
      kind: 'RETIRED',
      version: 2,
      reason: 'The agency terms expired.',
      changes: [{ field: 'status', before: 'APPROVED', after: 'RETIRED' }],
    });
    // Final: neither edited nor retired again.
    expect(() => retiredPlatform({ current: platform, version: 2, reason: 'Retire it once more.', by: dti, now })).toThrow(
      /retired on 2026-03-15.*not changed/,
    );
    expect(() => editedPlatform({ current: platform, form: parsePlatformForm(formValuesOf(platform), { today, adding: false }), by: dti, now })).toThrow(
      ConflictError,
    );
  });

  it('diffs nothing between equal platforms and every field from nothing', () => {
    expect(diffPlatforms(seeded(), seeded())).toEqual([]);
    expect(diffPlatforms(undefined, { name: 'A' })).toEqual([{ field: 'name', label: 'Name', before: null, after: 'A' }]);
  });
});

describe('completeness and status (P, O.a)', () => {
  it('names the P documents a platform lacks, and counts an item seeded before statuses by its approved flag', () => {
    expect(missingDocuments(seeded())).toEqual(['brandingStandards']);
    expect(missingDocuments({})).toEqual(['userGuidelines', 'accountStandards', 'brandingStandards']);
    expect(isApproved({ approved: true } as Platform)).toBe(true);
    expect(isApproved({ approved: false, status: 'APPROVED' })).toBe(false);
    expect(isApproved(undefined)).toBe(false);
  });

  it('takes today in Albuquerque, not in UTC', () => {
    expect(denverToday(new Date('2026-03-16T05:00:00.000Z'))).toBe('2026-03-15');
  });
});

describe('the platforms pages', () => {
  const viewer = (id: string) => viewerFor(person(id), roleHolders);
  const complete = seeded({
    id: 'youtube',
    name: 'YouTube',
    documents: {
      userGuidelines: { url: 'https://dti.cabq.example/a', adoptedOn: '2024-01-01' },
      accountStandards: { url: 'https://dti.cabq.example/b', adoptedOn: '2024-01-01' },
      brandingStandards: { url: 'https://dti.cabq.example/c', adoptedOn: '2024-01-01' },
    },
  });
  const retired = retiredPlatform({
    current: seeded({ id: 'x', name: 'X (Twitter)' }),
    version: 1,
    reason: 'Terms changed; <b>no</b> longer acceptable.',
    by: dti,
    now,
  }).platform;

  it('lists each platform with its status, flags the incomplete one, and offers the add button to DTI only', () => {
    const forDti = platformsListPage({ viewer: viewer('E400'), platforms: [retired, seeded(), complete], mayManage: true });
    expect(forDti).toContain('<a class="usa-button" href="/platforms/new">Add a platform</a>');
    expect(forDti).toMatch(/<a href="\/platforms\/nextdoor">Nextdoor<\/a>.*<span class="usa-tag">Incomplete<\/span> missing branding standards/s);
    expect(forDti).toMatch(/<a href="\/platforms\/youtube">YouTube<\/a>.*All three adopted/s);
    expect(forDti).toContain('Retired Mar 15, 2026');
    // Approved first, retired last.
    expect(forDti.indexOf('/platforms/x"')).toBeGreaterThan(forDti.indexOf('/platforms/youtube"'));
    const forStaff = platformsListPage({ viewer: viewer('E102'), platforms: [seeded()], mayManage: false });
    expect(forStaff).not.toContain('/platforms/new');
  });

  it('shows a retired platform’s retirement (when, who, why), escaped, and no form', () => {
    const page = platformPage({ viewer: viewer('E400'), platform: retired, changes: [], mayManage: true, today });
    expect(page).toContain('X (Twitter) is retired');
    expect(page).toContain('by Samuel Ortiz: Terms changed; &lt;b&gt;no&lt;/b&gt; longer acceptable.');
    expect(page).not.toContain('<form class="usa-form usa-form--large" method="post"');
  });

  it('gives DTI the edit form filled in at the current version and the retire form; others neither', () => {
    const page = platformPage({ viewer: viewer('E400'), platform: seeded({ version: 4 }), changes: [], mayManage: true, today });
    expect(page).toContain('<form class="usa-form usa-form--large" method="post" action="/platforms/nextdoor" novalidate>');
    expect(page).toContain('<form class="usa-form usa-form--large" method="post" action="/platforms/nextdoor/retire" novalidate>');
    expect(page.match(/<input type="hidden" name="version" value="4">/g)).toHaveLength(2);
    expect(page).toContain('value="https://nextdoor.com/agency_terms/"');
    expect(page).toContain('<h2 class="usa-alert__heading">Incomplete</h2>');
    const staff = platformPage({ viewer: viewer('E102'), platform: seeded(), changes: [], mayManage: false, today });
    expect(staff).not.toContain('method="post" action="/platforms/nextdoor');
    expect(staff).toContain('ask DTI for a change');
  });

  it('lists each change with who made it and each field before → after', () => {
    const { change } = retiredPlatform({ current: seeded(), version: 1, reason: 'The agency terms expired.', by: dti, now });
    const page = platformPage({ viewer: viewer('E102'), platform: seeded(), changes: [change], mayManage: false, today });
    expect(page).toContain('Retired (version 2)');
    expect(page).toContain('<li>Status: APPROVED → RETIRED</li><li>Reason: The agency terms expired.</li>');
    expect(page).toContain('Samuel Ortiz');
  });

  it('marks each field to fix and focuses the error summary after a refused add', () => {
    const page = addPlatformPage({
      viewer: viewer('E400'),
      today,
      values: { ...addForm, siteUrl: 'http://x' },
      errors: { siteUrl: 'give the site address as an https:// address, for example https://www.example.com/terms' },
    });
    expect(page).toContain('id="error-summary" tabindex="-1" autofocus data-focus-on-load');
    expect(page).toContain('<a href="#siteUrl">give the site address as an https:// address');
    expect(page).toContain('id="siteUrl" name="siteUrl" value="http://x" required aria-invalid="true" aria-describedby="siteUrl-error siteUrl-hint"');
    expect(page).toContain(`max="${today}"`);
  });
});

describe('a platform kept in the annual review (O.a)', () => {
  it('counts its usage agreement as reviewed today and records why, with what changed', () => {
    const made = reviewedPlatform({ current: seeded(), note: 'New agency terms', by: dti, now, reviewId: '2026' });
    expect(made?.platform).toMatchObject({
      version: 2,
      usageAgreement: { title: 'Nextdoor Public Agency Terms', reviewedOn: '2026-03-15' },
      updatedById: 'E400',
      updatedAt: '2026-03-15T18:00:00.000Z',
    });
    expect(made?.change).toEqual({
      platformId: 'nextdoor',
      platformName: 'Nextdoor',
      version: 2,
      kind: 'EDITED',
      at: '2026-03-15T18:00:00.000Z',
      byId: 'E400',
      byName: 'Samuel Ortiz',
      changes: [{ field: 'usageAgreement.reviewedOn', label: 'Usage agreement reviewed by DTI on', before: '2025-08-25', after: '2026-03-15' }],
      reason: 'Annual review 2026: kept with changes: New agency terms',
    });
  });

  it('records nothing for a platform kept as it is with no agreement to mark reviewed', () => {
    expect(reviewedPlatform({ current: seeded({ usageAgreement: undefined }), note: undefined, by: dti, now, reviewId: '2026' })).toBeUndefined();
    const kept = reviewedPlatform({ current: seeded({ usageAgreement: undefined }), note: 'Still used by two departments', by: dti, now, reviewId: '2026' });
    expect(kept?.change).toMatchObject({ changes: [], reason: 'Annual review 2026: kept with changes: Still used by two departments' });
  });
});
