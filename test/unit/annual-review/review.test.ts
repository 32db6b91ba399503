import { describe, expect, it } from 'vitest';
import {
  type AccountAnswer,
  accountFindings,
  answerRefusal,
  canReadReport,
  changesOf,
  type DepartmentPage,
  mergeDepartmentAnswers,
  missingAnswers,
  missingOnPage,
  missingPlatformAnswers,
  pageAction,
  parseDepartmentAnswers,
  parsePlatformAnswers,
  platformFindings,
  progressOf,
  reviewChain,
  reviewSourceId,
  withRetiredPlatforms,
  yearProblem,
} from '#annual-review/review';
import type { Person } from '#core/policy';
import { policy } from '#core/policy';
import type { Grant } from '#core/registry';
import { account, grant } from '../fixtures.ts';
import {
  ana,
  carla,
  departmentPage,
  directory,
  dolores,
  elena,
  facebookLine,
  instagram,
  instagramLine,
  marcus,
  namedOf,
  paul,
  platformsPage,
  reviewed,
  roleHolders,
  rosa,
  samuel,
  tom,
} from './review-fixtures.ts';

const now = new Date('2027-02-01T15:00:00.000Z');

describe('yearProblem', () => {
  const at = new Date('2027-03-01T18:00:00.000Z');

  it('refuses a past year and names the current one', () => {
    expect(yearProblem(2026, at)).toBe('2026 is in the past: a review is of the accounts as they are now. Start 2027 instead.');
  });

  it('accepts the current year and the next', () => {
    expect(yearProblem(2027, at)).toBeUndefined();
    expect(yearProblem(2028, at)).toBeUndefined();
  });

  it('refuses a year two ahead', () => {
    expect(yearProblem(2029, at)).toBe('2029 is too far ahead: only 2027 or 2028 can be started.');
  });

  it('refuses a year that is not a whole number', () => {
    expect(yearProblem(2027.5, at)).toBe('Give the year as four digits, e.g. 2027.');
  });

  it('takes the current year in the City time zone, not UTC', () => {
    const newYearsEveInDenver = new Date('2027-01-01T05:00:00.000Z');
    expect(yearProblem(2026, newYearsEveInDenver)).toBeUndefined();
    expect(yearProblem(2028, newYearsEveInDenver)).toBe('2028 is too far ahead: only 2026 or 2027 can be started.');
  });
});

describe('accountFindings', () => {
  const anaAdmin = grant();
  const tomAdmin = grant({ personId: 'E103', personName: 'Tom Sandoval' });
  const tomPoster = grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', receivesCredential: false, sourceRequestId: 'pa-tom' });
  const recent = '2026-12-01T00:00:00.000Z';

  function findings(input: {
    grants?: Grant[];
    people?: Map<string, Person>;
    credentialChangedAt?: string;
    platform?: ReturnType<typeof instagram> | null;
    lastActivityAt?: string | null;
  }) {
    const line = accountFindings({
      account: {
        ...account(),
        ...(input.credentialChangedAt === undefined ? { credentialChangedAt: recent } : { credentialChangedAt: input.credentialChangedAt }),
      },
      grants: input.grants ?? [anaAdmin, tomAdmin],
      people: input.people ?? directory(),
      ...(input.platform === null ? {} : { platform: input.platform ?? instagram() }),
      ...(input.lastActivityAt === null ? {} : { lastActivityAt: input.lastActivityAt ?? recent }),
      now,
    });
    return line.findings;
  }

  it('finds nothing about an account with two admins still in the department, a recent password change, a complete platform and recent activity', () => {
    expect(findings({})).toEqual([]);
  });

  it('describes the account and its active grants only', () => {
    const line = accountFindings({
      account: { ...account(), credentialChangedAt: recent },
      grants: [anaAdmin, tomPoster, grant({ personId: 'E101', personName: 'Marcus Chavez', status: 'REVOKED' })],
      people: directory(),
      platform: instagram(),
      lastActivityAt: recent,
      now,
    });
    expect(line).toMatchObject({
      accountId: 'acct-20250301-0123456789abcdef',
      label: 'Instagram @ABQParks',
      platformId: 'instagram',
      platformName: 'Instagram',
    });
    expect(line.grants).toEqual([
      { personId: 'E102', personName: 'Ana Gallegos', role: 'ADMIN', receivesCredential: true, sourceRequestId: 'na-20250301-0123456789abcdef' },
      { personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', receivesCredential: false, sourceRequestId: 'pa-tom' },
    ]);
  });

  it('names a sole admin', () => {
    expect(findings({ grants: [anaAdmin, tomPoster] })).toEqual([{ code: 'SOLE_ADMIN', text: 'Ana Gallegos is its only admin: name a second (B).' }]);
  });

  it('counts a revoked admin grant as no admin', () => {
    expect(findings({ grants: [anaAdmin, { ...tomAdmin, status: 'REVOKED' }] })).toEqual([
      { code: 'SOLE_ADMIN', text: 'Ana Gallegos is its only admin: name a second (B).' },
    ]);
  });

  it('finds an account with no admin', () => {
    expect(findings({ grants: [tomPoster] })).toEqual([{ code: 'NO_ADMIN', text: 'No admin: name two (B).' }]);
  });

  it('finds a grant held by a separated person, with the date', () => {
    expect(findings({ people: directory([{ ...tom, separatedOn: '2027-01-10' }]) })).toEqual([
      { code: 'SEPARATED', personId: 'E103', text: 'Tom Sandoval has separated from the City (2027-01-10).' },
    ]);
  });

  it('counts a grant held by someone no longer in the directory as separated', () => {
    const people = directory();
    people.delete('E103');
    expect(findings({ people })).toEqual([{ code: 'SEPARATED', personId: 'E103', text: 'Tom Sandoval has separated from the City.' }]);
  });

  it('finds a grant held by someone who moved to another department', () => {
    expect(findings({ people: directory([{ ...tom, departmentCode: 'LIB' }]) })).toEqual([
      { code: 'MOVED', personId: 'E103', text: 'Tom Sandoval now works in another department (LIB).' },
    ]);
  });

  it('finds a shared password whose change was never recorded', () => {
    expect(findings({ credentialChangedAt: '' })).toEqual([
      { code: 'CREDENTIAL_UNKNOWN', text: 'No change of the shared password is on record (C, O.b): ask DTI to have it changed.' },
    ]);
  });

  it('finds a shared password changed more than credentialMaxAgeDays ago', () => {
    expect(findings({ credentialChangedAt: '2026-01-31T15:00:00.000Z' })).toEqual([
      { code: 'CREDENTIAL_STALE', text: 'The shared password was last changed 2026-01-31, over 365 days ago (C, O.b): ask DTI to have it changed.' },
    ]);
  });

  it('accepts a shared password changed exactly credentialMaxAgeDays ago', () => {
    expect(findings({ credentialChangedAt: '2026-02-01T15:00:00.000Z' })).toEqual([]);
  });

  it('says nothing about the password when no active grant receives it', () => {
    const noCredential = [
      { ...anaAdmin, receivesCredential: false },
      { ...tomAdmin, receivesCredential: false },
    ];
    expect(findings({ grants: noCredential, credentialChangedAt: '' })).toEqual([]);
    expect(findings({ grants: noCredential, credentialChangedAt: '2020-01-01T00:00:00.000Z' })).toEqual([]);
  });

  it('finds an account on a retired platform, with the reason', () => {
    expect(findings({ platform: instagram({ status: 'RETIRED', approved: false, retiredReason: 'Meta ended government pages' }) })).toEqual([
      { code: 'PLATFORM_RETIRED', text: 'DTI retired Instagram: Meta ended government pages (O.a).' },
    ]);
    expect(findings({ platform: instagram({ status: 'RETIRED', approved: false }) })).toEqual([
      { code: 'PLATFORM_RETIRED', text: 'DTI retired Instagram (O.a).' },
    ]);
  });

  it('names the P documents its platform lacks', () => {
    const platform = instagram({ documents: { accountStandards: { url: 'https://example.com/standards', adoptedOn: '2025-01-01' } } });
    expect(findings({ platform })).toEqual([
      { code: 'PLATFORM_INCOMPLETE', text: 'Instagram lacks some of its P documents (User guidelines, Branding standards).' },
    ]);
  });

  it('says nothing about the platform when none was read', () => {
    expect(findings({ platform: null })).toEqual([]);
  });

  it('finds an account with no activity on record', () => {
    expect(findings({ lastActivityAt: null })).toEqual([
      { code: 'NO_ACTIVITY', text: 'Nothing recorded for it yet: no removal, correction, moderation or grant change.' },
    ]);
  });

  it('finds an account whose last activity is older than inactiveAfterDays', () => {
    expect(findings({ lastActivityAt: '2026-01-31T15:00:00.000Z' })).toEqual([
      { code: 'NO_ACTIVITY', text: 'Nothing recorded since 2026-01-31: no removal, correction, moderation or grant change in 365 days.' },
    ]);
  });

  it('finds nothing about activity exactly inactiveAfterDays old', () => {
    expect(findings({ lastActivityAt: '2026-02-01T15:00:00.000Z' })).toEqual([]);
  });
});

describe('platformFindings', () => {
  it('finds nothing about a platform with a recent agreement and recent documents', () => {
    expect(platformFindings(instagram(), 3, now)).toEqual({ platformId: 'instagram', name: 'Instagram', accounts: 3, findings: [] });
  });

  it('finds a platform with no usage agreement', () => {
    expect(platformFindings(instagram({ usageAgreement: undefined }), 3, now).findings).toEqual([
      { code: 'AGREEMENT_STALE', text: 'No usage agreement or terms of service on record (O.a).' },
    ]);
  });

  it('finds a usage agreement reviewed longer ago than the limit', () => {
    const platform = instagram({ usageAgreement: { title: 'Meta Terms of Service', url: 'https://example.com/terms', reviewedOn: '2025-12-01' } });
    expect(platformFindings(platform, 3, now).findings).toEqual([
      { code: 'AGREEMENT_STALE', text: 'Its usage agreement was last reviewed 2025-12-01, over 365 days ago (O.a).' },
    ]);
  });

  it('finds each missing P document', () => {
    expect(platformFindings(instagram({ documents: {} }), 0, now).findings).toEqual([
      { code: 'DOCUMENT_MISSING', text: 'User guidelines: none adopted (P).' },
      { code: 'DOCUMENT_MISSING', text: 'Account-management standards and processes: none adopted (P).' },
      { code: 'DOCUMENT_MISSING', text: 'Branding standards: none adopted (P).' },
    ]);
  });

  it('counts a document without an address as missing', () => {
    const platform = instagram();
    const documents = { ...platform.documents, userGuidelines: { url: '', adoptedOn: '2025-01-01' } };
    expect(platformFindings({ ...platform, documents }, 1, now).findings).toEqual([{ code: 'DOCUMENT_MISSING', text: 'User guidelines: none adopted (P).' }]);
  });

  it('finds a document adopted longer ago than the limit', () => {
    const platform = instagram();
    const documents = { ...platform.documents, brandingStandards: { url: 'https://example.com/branding', adoptedOn: '2023-06-01' } };
    expect(platformFindings({ ...platform, documents }, 1, now).findings).toEqual([
      { code: 'DOCUMENT_STALE', text: 'Branding standards: adopted 2023-06-01, over 1095 days ago (P).' },
    ]);
  });
});

describe('reviewChain', () => {
  const prd = { directorId: 'E100', designeeId: 'E101' };

  it('asks the director, then the designee, then the Communications Director', () => {
    expect(reviewChain(prd, directory(), roleHolders)).toEqual({ chain: [namedOf(dolores), namedOf(marcus), namedOf(elena)], noDirector: false });
  });

  it('lists each person once', () => {
    expect(reviewChain({ directorId: 'E500', designeeId: 'E501' }, directory(), roleHolders)).toEqual({
      chain: [namedOf(elena), namedOf(paul)],
      noDirector: false,
    });
  });

  it('skips a separated director', () => {
    expect(reviewChain(prd, directory([{ ...dolores, separatedOn: '2027-01-10' }]), roleHolders)).toEqual({
      chain: [namedOf(marcus), namedOf(elena)],
      noDirector: false,
    });
  });

  it('asks the Communications Director designee when the Communications Director has separated', () => {
    expect(reviewChain(prd, directory([{ ...elena, separatedOn: '2027-01-10' }]), roleHolders).chain).toEqual([
      namedOf(dolores),
      namedOf(marcus),
      namedOf(paul),
    ]);
  });

  it('goes straight to the Communications Director when there is neither director nor designee', () => {
    const people = directory([
      { ...dolores, separatedOn: '2027-01-10' },
      { ...marcus, separatedOn: '2027-01-10' },
    ]);
    expect(reviewChain(prd, people, roleHolders)).toEqual({ chain: [namedOf(elena)], noDirector: true });
    expect(reviewChain({ directorId: 'E998', designeeId: 'E999' }, directory(), roleHolders)).toEqual({ chain: [namedOf(elena)], noDirector: true });
  });
});

describe('pageAction', () => {
  const open = { status: 'OPEN' as const, lastSweep: 0, stage: 0, chain: [namedOf(dolores), namedOf(marcus), namedOf(elena)] };

  it('reminds, escalates twice, then marks not attested over the four sweeps of the default policy', () => {
    expect(pageAction({ ...open, lastSweep: 0, stage: 0 }, 1)).toBe('remind');
    expect(pageAction({ ...open, lastSweep: 1, stage: 0 }, 2)).toBe('escalate');
    expect(pageAction({ ...open, lastSweep: 2, stage: 1 }, 3)).toBe('escalate');
    expect(pageAction({ ...open, lastSweep: 3, stage: 2 }, 4)).toBe('not-attested');
  });

  it('reminds instead of escalating when the page is with the last of its chain', () => {
    expect(pageAction({ ...open, lastSweep: 2, stage: 2 }, 3)).toBe('remind');
  });

  it('never escalates a page whose chain has one person', () => {
    const alone = { ...open, chain: [namedOf(elena)] };
    expect(pageAction({ ...alone, lastSweep: 0 }, 1)).toBe('remind');
    expect(pageAction({ ...alone, lastSweep: 1 }, 2)).toBe('remind');
    expect(pageAction({ ...alone, lastSweep: 2 }, 3)).toBe('remind');
    expect(pageAction({ ...alone, lastSweep: 3 }, 4)).toBe('not-attested');
  });

  it('does nothing for a sweep that already moved the page, or an earlier one', () => {
    expect(pageAction({ ...open, lastSweep: 2 }, 2)).toBe('none');
    expect(pageAction({ ...open, lastSweep: 3 }, 2)).toBe('none');
  });

  it('does nothing to a page that is not open', () => {
    expect(pageAction({ ...open, status: 'SUBMITTED' }, 4)).toBe('none');
    expect(pageAction({ ...open, status: 'NOT_ATTESTED' }, 4)).toBe('none');
    expect(pageAction({ ...open, status: 'NOTHING_TO_REVIEW' }, 1)).toBe('none');
  });

  it('escalates from the first sweep when the policy has only three', () => {
    const threeSweeps = { ...policy, annualReview: { ...policy.annualReview, dueDays: 21 } };
    expect(pageAction(open, 1, threeSweeps)).toBe('escalate');
    expect(pageAction({ ...open, lastSweep: 1, stage: 1 }, 2, threeSweeps)).toBe('escalate');
    expect(pageAction({ ...open, lastSweep: 2, stage: 2 }, 3, threeSweeps)).toBe('not-attested');
  });
});

describe('answerRefusal', () => {
  const before = new Date('2027-02-10T16:00:00.000Z');

  it('refuses a submitted page with 409, naming who submitted it and when', () => {
    const page = departmentPage({ status: 'SUBMITTED', submittedBy: namedOf(dolores), submittedAt: '2027-02-10T16:00:00.000Z' });
    expect(answerRefusal(page, 'E100', before)).toEqual({
      status: 409,
      message: 'This review was submitted by Dolores Baca on Feb 10, 2027; it cannot be changed.',
    });
  });

  it('refuses a page marked not attested with 410', () => {
    expect(answerRefusal(departmentPage({ status: 'NOT_ATTESTED' }), 'E100', before)).toEqual({
      status: 410,
      message: 'This review passed its due date without being submitted and is reported as not attested.',
    });
  });

  it('refuses a page with nothing to review with 409', () => {
    expect(answerRefusal(departmentPage({ status: 'NOTHING_TO_REVIEW' }), 'E100', before)).toEqual({
      status: 409,
      message: 'This department has no accounts to review.',
    });
  });

  it('refuses a page that could not be prepared with 410', () => {
    expect(answerRefusal(departmentPage({ status: 'FAILED', failure: 'The directory could not be read' }), 'E100', before)).toEqual({
      status: 410,
      message: 'This review page could not be prepared; DTI has been told and will follow it up.',
    });
  });

  it('answers someone the page was never with 403 naming whose it is, whatever its state', () => {
    for (const status of ['SUBMITTED', 'NOT_ATTESTED', 'OPEN'] as const) {
      expect(answerRefusal(departmentPage({ status }), 'E102', before), status).toEqual({ status: 403, message: 'This review is assigned to Dolores Baca.' });
    }
  });

  it('refuses someone the page is not with, naming who it is with', () => {
    expect(answerRefusal(departmentPage(), 'E102', before)).toEqual({ status: 403, message: 'This review is assigned to Dolores Baca.' });
    expect(answerRefusal(departmentPage(), 'E500', before)).toEqual({ status: 403, message: 'This review is assigned to Dolores Baca.' });
  });

  it('tells an earlier reviewer the page was reassigned', () => {
    const refusal = answerRefusal(departmentPage({ stage: 1 }), 'E100', before);
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toContain('reassigned to Marcus Chavez');
    expect(refusal?.message).toBe('This review was reassigned to Marcus Chavez because it was not answered in time. Your answers so far are kept.');
  });

  it('refuses the current reviewer with 410 after the due date', () => {
    expect(answerRefusal(departmentPage(), 'E100', new Date('2027-03-01T15:00:05.001Z'))).toEqual({
      status: 410,
      message: 'This review was due Mar 1, 2027; it can no longer be answered.',
    });
  });

  it('lets the current reviewer answer an open page up to its due moment', () => {
    expect(answerRefusal(departmentPage(), 'E100', before)).toBeUndefined();
    expect(answerRefusal(departmentPage({ stage: 1 }), 'E101', new Date('2027-03-01T15:00:05.000Z'))).toBeUndefined();
  });
});

describe('parseDepartmentAnswers', () => {
  const page = departmentPage();

  it('parses every question, trimmed, with the email in lower case, and ignores other fields', () => {
    const body = {
      _csrf: 'token',
      'a.acct-ig.inUse': ' yes ',
      'a.acct-ig.keep.E102': 'yes',
      'a.acct-ig.keep.E103': 'no',
      'a.acct-ig.newAdminEmail': ' IRomero@CABQ.example ',
      'a.acct-ig.officialSite': 'yes',
      'a.acct-ig.purposeNotice': 'no',
      'a.acct-fb.inUse': 'no',
    };
    expect(parseDepartmentAnswers(page, body)).toEqual({
      answers: {
        'acct-ig': { inUse: 'yes', keep: { E102: 'yes', E103: 'no' }, newAdminEmail: 'iromero@cabq.example', officialSite: 'yes', purposeNotice: 'no' },
        'acct-fb': { inUse: 'no' },
      },
      errors: {},
    });
  });

  it('leaves an empty field unanswered', () => {
    expect(parseDepartmentAnswers(page, { 'a.acct-ig.inUse': '  ', 'a.acct-ig.keep.E102': '' })).toEqual({ answers: { 'acct-ig': {} }, errors: {} });
  });

  it('refuses an account that is not on the page, on that field', () => {
    expect(parseDepartmentAnswers(page, { 'a.acct-other.inUse': 'yes' })).toEqual({
      answers: {},
      errors: { 'a.acct-other.inUse': 'acct-other is not one of the accounts on this review.' },
    });
  });

  it('refuses keeping a person with no grant on that account', () => {
    const { answers, errors } = parseDepartmentAnswers(departmentPage({ accounts: [instagramLine({ grants: [reviewed(ana, 'ADMIN')] })] }), {
      'a.acct-ig.keep.E103': 'yes',
      'a.acct-ig.keep': 'yes',
    });
    expect(errors).toEqual({
      'a.acct-ig.keep.E103': 'That person holds no posting authority on Instagram @ABQParks on this review.',
      'a.acct-ig.keep': 'That person holds no posting authority on Instagram @ABQParks on this review.',
    });
    expect(answers).toEqual({ 'acct-ig': {} });
  });

  it('refuses an answer that is not yes or no', () => {
    expect(parseDepartmentAnswers(page, { 'a.acct-ig.inUse': 'maybe', 'a.acct-ig.keep.E102': 'Yes', 'a.acct-ig.purposeNotice': 'true' }).errors).toEqual({
      'a.acct-ig.inUse': 'Answer yes or no.',
      'a.acct-ig.keep.E102': 'Answer yes or no.',
      'a.acct-ig.purposeNotice': 'Answer yes or no.',
    });
  });

  it('refuses a new admin email that is not an email address', () => {
    expect(parseDepartmentAnswers(page, { 'a.acct-ig.newAdminEmail': 'Isabel Romero' })).toEqual({
      answers: { 'acct-ig': {} },
      errors: { 'a.acct-ig.newAdminEmail': 'Give the new admin\u2019s City email address, e.g. name@cabq.gov.' },
    });
  });
});

describe('mergeDepartmentAnswers', () => {
  const saved: Record<string, AccountAnswer> = {
    'acct-ig': {
      inUse: 'yes',
      keep: { E102: 'yes' },
      newAdminEmail: 'iromero@cabq.example',
      newAdminId: 'E202',
      newAdminName: 'Isabel Romero',
      officialSite: 'yes',
    },
  };

  it('keeps saved answers and merges new keep answers into the saved ones', () => {
    expect(mergeDepartmentAnswers(saved, { 'acct-ig': { keep: { E103: 'no' }, purposeNotice: 'yes' } })).toEqual({
      'acct-ig': {
        inUse: 'yes',
        keep: { E102: 'yes', E103: 'no' },
        newAdminEmail: 'iromero@cabq.example',
        newAdminId: 'E202',
        newAdminName: 'Isabel Romero',
        officialSite: 'yes',
        purposeNotice: 'yes',
      },
    });
  });

  it('replaces a saved answer with the newly posted one', () => {
    expect(mergeDepartmentAnswers(saved, { 'acct-ig': { inUse: 'no', keep: { E102: 'no' } } })['acct-ig']).toMatchObject({ inUse: 'no', keep: { E102: 'no' } });
  });

  it('drops the resolved new admin when a different email is posted', () => {
    const merged = mergeDepartmentAnswers(saved, { 'acct-ig': { newAdminEmail: 'tsandoval@cabq.example' } });
    expect(merged['acct-ig']).toEqual({ inUse: 'yes', keep: { E102: 'yes' }, newAdminEmail: 'tsandoval@cabq.example', officialSite: 'yes' });
  });

  it('keeps the resolved new admin when the same email is posted again', () => {
    const merged = mergeDepartmentAnswers(saved, { 'acct-ig': { newAdminEmail: 'iromero@cabq.example' } });
    expect(merged['acct-ig']).toMatchObject({ newAdminId: 'E202', newAdminName: 'Isabel Romero' });
  });

  it('adds answers for an account with none saved, and leaves the saved answers unchanged', () => {
    const merged = mergeDepartmentAnswers(saved, { 'acct-fb': { inUse: 'no' } });
    expect(merged['acct-fb']).toEqual({ inUse: 'no', keep: {} });
    expect(merged['acct-ig']).toEqual(saved['acct-ig']);
    merged['acct-ig'] = {};
    expect(saved['acct-ig']?.inUse).toBe('yes');
  });
});

describe('missingAnswers and missingOnPage', () => {
  const line = instagramLine();

  it('asks only whether the account is in use until that is answered', () => {
    expect(missingAnswers(line)).toEqual([{ field: 'a.acct-ig.inUse', text: 'Instagram @ABQParks: say whether it is still in use and needed' }]);
    expect(missingAnswers(line, { keep: { E102: 'yes' }, officialSite: 'yes' })).toEqual([
      { field: 'a.acct-ig.inUse', text: 'Instagram @ABQParks: say whether it is still in use and needed' },
    ]);
  });

  it('needs nothing else for an account no longer in use', () => {
    expect(missingAnswers(line, { inUse: 'no' })).toEqual([]);
  });

  it('asks about every grant, a second admin, and E and J for an account in use', () => {
    expect(missingAnswers(line, { inUse: 'yes' })).toEqual([
      { field: 'a.acct-ig.keep.E102', text: 'Instagram @ABQParks: say whether Ana Gallegos still needs posting authority' },
      { field: 'a.acct-ig.keep.E103', text: 'Instagram @ABQParks: say whether Tom Sandoval still needs posting authority' },
      { field: 'a.acct-ig.newAdminEmail', text: 'Instagram @ABQParks: it would have fewer than two admins; name a second admin by email' },
      { field: 'a.acct-ig.officialSite', text: 'Instagram @ABQParks: say whether it still shows the official-site characteristics (E)' },
      { field: 'a.acct-ig.purposeNotice', text: 'Instagram @ABQParks: say whether it still shows the purpose notice (J)' },
    ]);
  });

  it('needs nothing more once every question is answered for an account keeping two admins', () => {
    expect(missingAnswers(facebookLine(), { inUse: 'yes', keep: { E102: 'yes', E103: 'yes' }, officialSite: 'yes', purposeNotice: 'no' })).toEqual([]);
  });

  it('asks for a second admin when an answer would leave fewer than two, until one is resolved', () => {
    const answer: AccountAnswer = { inUse: 'yes', keep: { E102: 'yes', E103: 'no' }, officialSite: 'yes', purposeNotice: 'yes' };
    const askForAdmin = [
      { field: 'a.acct-fb.newAdminEmail', text: 'Facebook Albuquerque Parks: it would have fewer than two admins; name a second admin by email' },
    ];
    expect(missingAnswers(facebookLine(), answer)).toEqual(askForAdmin);
    expect(missingAnswers(facebookLine(), { ...answer, newAdminEmail: 'iromero@cabq.example' })).toEqual(askForAdmin);
    expect(missingAnswers(facebookLine(), { ...answer, newAdminEmail: 'iromero@cabq.example', newAdminId: 'E202' })).toEqual([]);
  });

  it('lists the unanswered questions of every account on a department page, from its saved answers or the ones given', () => {
    const page = departmentPage({
      answers: { 'acct-ig': { inUse: 'no' }, 'acct-fb': { inUse: 'yes', keep: { E102: 'yes', E103: 'yes' }, officialSite: 'yes' } },
    });
    expect(missingOnPage(page)).toEqual([
      { field: 'a.acct-fb.purposeNotice', text: 'Facebook Albuquerque Parks: say whether it still shows the purpose notice (J)' },
    ]);
    expect(missingOnPage(page, { 'acct-fb': { inUse: 'no' } })).toEqual([
      { field: 'a.acct-ig.inUse', text: 'Instagram @ABQParks: say whether it is still in use and needed' },
    ]);
  });

  it('lists the unanswered platforms of a platforms page', () => {
    expect(missingOnPage(platformsPage({ answers: { instagram: { decision: 'KEEP' }, x: { decision: 'KEEP' } } }))).toEqual([
      { field: 'p.tiktok.decision', text: 'TikTok: choose keep, keep with changes, or retire' },
    ]);
  });
});

describe('missingPlatformAnswers', () => {
  it('asks for a decision on each platform without one', () => {
    expect(missingPlatformAnswers(platformsPage())).toEqual([
      { field: 'p.instagram.decision', text: 'Instagram: choose keep, keep with changes, or retire' },
      { field: 'p.tiktok.decision', text: 'TikTok: choose keep, keep with changes, or retire' },
      { field: 'p.x.decision', text: 'X: choose keep, keep with changes, or retire' },
    ]);
  });

  it('asks what changed or why it is retired, and nothing for a platform kept as it is', () => {
    const page = platformsPage();
    expect(missingPlatformAnswers(page, { instagram: { decision: 'KEEP' }, tiktok: { decision: 'CHANGE' }, x: { decision: 'RETIRE' } })).toEqual([
      { field: 'p.tiktok.note', text: 'TikTok: say what changed' },
      { field: 'p.x.note', text: 'X: say why it is retired' },
    ]);
    expect(
      missingPlatformAnswers(page, {
        instagram: { decision: 'KEEP' },
        tiktok: { decision: 'CHANGE', note: 'New terms of service' },
        x: { decision: 'RETIRE', note: 'No longer used' },
      }),
    ).toEqual([]);
  });
});

describe('parsePlatformAnswers', () => {
  const page = platformsPage();

  it('parses decisions and trimmed notes', () => {
    expect(
      parsePlatformAnswers(page, {
        _csrf: 'token',
        'p.instagram.decision': 'KEEP',
        'p.tiktok.decision': 'CHANGE',
        'p.tiktok.note': '  New terms  ',
        'p.x.decision': 'RETIRE',
      }),
    ).toEqual({
      answers: { instagram: { decision: 'KEEP' }, tiktok: { decision: 'CHANGE', note: 'New terms' }, x: { decision: 'RETIRE' } },
      errors: {},
    });
  });

  it('refuses a platform that is not on the page', () => {
    expect(parsePlatformAnswers(page, { 'p.myspace.decision': 'KEEP' })).toEqual({
      answers: {},
      errors: { 'p.myspace.decision': 'myspace is not one of the platforms on this review.' },
    });
  });

  it('refuses a decision other than KEEP, CHANGE or RETIRE', () => {
    expect(parsePlatformAnswers(page, { 'p.instagram.decision': 'DELETE' })).toEqual({
      answers: { instagram: {} },
      errors: { 'p.instagram.decision': 'Choose keep, keep with changes, or retire.' },
    });
  });

  it('refuses a note over 1000 characters and accepts one of 1000', () => {
    expect(parsePlatformAnswers(page, { 'p.x.note': 'a'.repeat(1001) }).errors).toEqual({ 'p.x.note': 'Keep it under 1,000 characters.' });
    expect(parsePlatformAnswers(page, { 'p.x.note': 'a'.repeat(1000) })).toEqual({ answers: { x: { note: 'a'.repeat(1000) } }, errors: {} });
  });
});

describe('changesOf', () => {
  it('retires an account no longer in use, and nothing else on it', () => {
    const page = departmentPage({ answers: { 'acct-ig': { inUse: 'no', keep: { E102: 'no', E103: 'no' }, newAdminId: 'E202' } } });
    expect(changesOf(page)).toEqual([{ kind: 'retire-account', accountId: 'acct-ig', label: 'Instagram @ABQParks' }]);
  });

  it('revokes each grant answered no', () => {
    const page = departmentPage({ answers: { 'acct-fb': { inUse: 'yes', keep: { E102: 'no', E103: 'yes' } } } });
    expect(changesOf(page)).toEqual([
      { kind: 'revoke', accountId: 'acct-fb', label: 'Facebook Albuquerque Parks', personId: 'E102', personName: 'Ana Gallegos', role: 'ADMIN' },
    ]);
  });

  it('appoints the named admin when fewer than two admins are kept', () => {
    const page = departmentPage({
      answers: { 'acct-ig': { inUse: 'yes', keep: { E102: 'yes', E103: 'no' }, newAdminId: 'E202', newAdminName: 'Isabel Romero' } },
    });
    expect(changesOf(page)).toEqual([
      { kind: 'revoke', accountId: 'acct-ig', label: 'Instagram @ABQParks', personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER' },
      { kind: 'appoint', accountId: 'acct-ig', label: 'Instagram @ABQParks', personId: 'E202', personName: 'Isabel Romero' },
    ]);
  });

  it('appoints nobody when two admins are kept', () => {
    const page = departmentPage({
      answers: { 'acct-fb': { inUse: 'yes', keep: { E102: 'yes', E103: 'yes' }, newAdminId: 'E202', newAdminName: 'Isabel Romero' } },
    });
    expect(changesOf(page)).toEqual([]);
  });

  it('changes nothing for an account without answers', () => {
    expect(changesOf(departmentPage())).toEqual([]);
  });

  it('lists the changes account by account, in page order', () => {
    const page = departmentPage({
      answers: { 'acct-fb': { inUse: 'no' }, 'acct-ig': { inUse: 'yes', keep: { E102: 'yes', E103: 'no' } } },
    });
    expect(changesOf(page).map((c) => `${c.kind} ${c.accountId}`)).toEqual(['revoke acct-ig', 'retire-account acct-fb']);
  });
});

describe('reviewSourceId', () => {
  it('names the year and the department', () => {
    expect(reviewSourceId({ reviewId: '2027', departmentCode: 'PRD' })).toBe('rev-2027-PRD');
    expect(reviewSourceId({ reviewId: '2027-PRD', departmentCode: 'PRD' })).toBe('rev-2027-PRD');
  });
});

describe('progressOf', () => {
  it('counts pages by status, accounts answered, findings, and changes of applied pages only', () => {
    const finding = { code: 'SOLE_ADMIN' as const, text: 'Ana Gallegos is its only admin: name a second (B).' };
    const submitted: DepartmentPage = departmentPage({
      status: 'SUBMITTED',
      appliedAt: '2027-02-10T16:00:01.000Z',
      accounts: [facebookLine({ findings: [finding] })],
      answers: { 'acct-fb': { inUse: 'yes', keep: { E102: 'yes', E103: 'no' }, newAdminId: 'E202', officialSite: 'yes', purposeNotice: 'yes' } },
    });
    const notAttested = departmentPage({ departmentCode: 'LIB', status: 'NOT_ATTESTED', accounts: [instagramLine({ accountId: 'acct-lib' })] });
    const nothing = departmentPage({ departmentCode: 'CLERK', status: 'NOTHING_TO_REVIEW', accounts: [] });
    const failed = departmentPage({ departmentCode: 'CAO', status: 'FAILED', accounts: [], failure: 'The directory could not be read' });
    const open = departmentPage({
      departmentCode: 'APD',
      accounts: [instagramLine({ accountId: 'acct-apd-1', findings: [finding, finding] }), facebookLine({ accountId: 'acct-apd-2' })],
      answers: { 'acct-apd-1': { inUse: 'no' } },
    });
    expect(progressOf([submitted, notAttested, nothing, failed, open, platformsPage()])).toEqual({
      departments: 5,
      done: 4,
      submitted: 1,
      notAttested: 1,
      nothingToReview: 1,
      failed: 1,
      accounts: 4,
      answered: 2,
      findings: 3,
      changesApplied: 2,
    });
  });
});

describe('canReadReport', () => {
  it('lets anyone in DTI read it', () => {
    expect(canReadReport(samuel, roleHolders)).toBe(true);
  });

  it('lets the Communications Director and Coordinator, and their designees, read it', () => {
    expect(canReadReport(elena, roleHolders)).toBe(true);
    expect(canReadReport(paul, roleHolders)).toBe(true);
    expect(canReadReport(rosa, roleHolders)).toBe(true);
    expect(
      canReadReport(
        rosa,
        roleHolders.filter((r) => r.role !== 'COMMUNICATIONS_COORDINATOR'),
      ),
    ).toBe(false);
  });

  it('does not let a department director or another role holder read it', () => {
    expect(canReadReport(dolores, roleHolders)).toBe(false);
    expect(canReadReport(carla, roleHolders)).toBe(false);
  });
});

describe('withRetiredPlatforms', () => {
  const retiredInstagram = {
    id: 'instagram',
    name: 'Instagram',
    approved: false,
    status: 'RETIRED' as const,
    retiredReason: 'No longer offered to governments',
  };
  const facebook = { id: 'facebook', name: 'Facebook', approved: true, status: 'APPROVED' as const };

  it('adds the platform-retired finding to the accounts on a platform DTI retired since the page opened, and keeps their questions', () => {
    const page = withRetiredPlatforms(departmentPage(), [retiredInstagram, facebook]);
    expect(page.accounts.find((a) => a.accountId === 'acct-ig')?.findings).toEqual([
      { code: 'PLATFORM_RETIRED', text: 'DTI retired Instagram during this review: No longer offered to governments (O.a).' },
    ]);
    expect(page.accounts.find((a) => a.platformId === 'facebook')?.findings).toEqual([]);
    expect(missingOnPage(page)).toHaveLength(missingOnPage(departmentPage()).length);
  });

  it('leaves a page alone when no platform is retired, and a platforms page always', () => {
    const page = departmentPage();
    expect(withRetiredPlatforms(page, [facebook])).toBe(page);
    const platforms = platformsPage();
    expect(withRetiredPlatforms(platforms, [retiredInstagram])).toBe(platforms);
  });
});
