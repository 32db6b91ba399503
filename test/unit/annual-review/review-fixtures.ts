import type { DepartmentPage, AccountLine, PlatformLine, PlatformPage, ReviewedGrant } from '#annual-review/review';
import type { Platform } from '#core/platform';
import type { Person, RoleHolder } from '#core/policy';
import type { NamedPerson } from '#core/request';

/** A small directory of its own, so these tests do not move when the demo directory does. */
export const dolores: Person = { id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example', departmentCode: 'PRD' };
export const marcus: Person = { id: 'E101', name: 'Marcus Chavez', email: 'mchavez@cabq.example', departmentCode: 'PRD' };
export const ana: Person = { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example', departmentCode: 'PRD' };
export const tom: Person = { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example', departmentCode: 'PRD' };
export const isabel: Person = { id: 'E202', name: 'Isabel Romero', email: 'iromero@cabq.example', departmentCode: 'LIB' };
export const samuel: Person = { id: 'E400', name: 'Samuel Ortiz', email: 'sortiz@cabq.example', departmentCode: 'DTI' };
export const elena: Person = { id: 'E500', name: 'Elena Martinez', email: 'emartinez@cabq.example', departmentCode: 'CMO' };
export const paul: Person = { id: 'E501', name: 'Paul Herrera', email: 'pherrera@cabq.example', departmentCode: 'CMO' };
export const rosa: Person = { id: 'E502', name: 'Rosa Apodaca', email: 'rapodaca@cabq.example', departmentCode: 'CMO' };
export const carla: Person = { id: 'E310', name: 'Carla Archuleta', email: 'carchuleta@cabq.example', departmentCode: 'APD' };

export const everyone = [dolores, marcus, ana, tom, isabel, samuel, elena, paul, rosa, carla];

/** The directory as a map, with some people changed. */
export const directory = (changed: Person[] = []) => new Map([...everyone, ...changed].map((p) => [p.id, p]));

export const roleHolders: RoleHolder[] = [
  { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' },
  { role: 'APD_DIRECTOR_OF_COMMUNICATIONS', holderId: 'E310', designeeId: 'E311' },
  { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E502', designeeId: 'E500' },
];

export const namedOf = (p: Person): NamedPerson => ({ id: p.id, name: p.name, email: p.email });

/** A complete, approved Instagram: its usage agreement and every P document on record. */
export function instagram(overrides: Partial<Platform> = {}): Platform {
  return {
    id: 'instagram',
    name: 'Instagram',
    approved: true,
    status: 'APPROVED',
    usageAgreement: { title: 'Meta Terms of Service', url: 'https://example.com/terms', reviewedOn: '2026-06-01' },
    documents: {
      userGuidelines: { url: 'https://example.com/guidelines', adoptedOn: '2025-01-01' },
      accountStandards: { url: 'https://example.com/standards', adoptedOn: '2025-01-01' },
      brandingStandards: { url: 'https://example.com/branding', adoptedOn: '2025-01-01' },
    },
    ...overrides,
  };
}

export const reviewed = (p: Person, role: ReviewedGrant['role'], sourceRequestId = `pa-${p.id}`): ReviewedGrant => ({
  personId: p.id,
  personName: p.name,
  role,
  receivesCredential: true,
  sourceRequestId,
});

/** Parks' Instagram on a review page: Ana its admin, Tom a poster. */
export function instagramLine(overrides: Partial<AccountLine> = {}): AccountLine {
  return {
    accountId: 'acct-ig',
    label: 'Instagram @ABQParks',
    platformId: 'instagram',
    platformName: 'Instagram',
    grants: [reviewed(ana, 'ADMIN', 'na-ig'), reviewed(tom, 'POSTER', 'pa-ig-tom')],
    findings: [],
    ...overrides,
  };
}

/** Parks' Facebook on a review page: Ana and Tom its admins. */
export function facebookLine(overrides: Partial<AccountLine> = {}): AccountLine {
  return {
    accountId: 'acct-fb',
    label: 'Facebook Albuquerque Parks',
    platformId: 'facebook',
    platformName: 'Facebook',
    grants: [reviewed(ana, 'ADMIN', 'na-fb'), reviewed(tom, 'ADMIN', 'na-fb')],
    findings: [],
    ...overrides,
  };
}

/** Parks' open page of the 2027 review, with Dolores, then Marcus, then Elena. */
export function departmentPage(overrides: Partial<DepartmentPage> = {}): DepartmentPage {
  return {
    kind: 'DEPARTMENT',
    reviewId: '2027',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    status: 'OPEN',
    chain: [namedOf(dolores), namedOf(marcus), namedOf(elena)],
    stage: 0,
    remindersSent: 0,
    lastSweep: 0,
    createdAt: '2027-02-01T15:00:05.000Z',
    dueAt: '2027-03-01T15:00:05.000Z',
    accounts: [instagramLine(), facebookLine()],
    answers: {},
    ...overrides,
  };
}

export const platformLine = (platformId: string, name: string): PlatformLine => ({ platformId, name, accounts: 1, findings: [] });

/** DTI's open platforms page of the 2027 review. */
export function platformsPage(overrides: Partial<PlatformPage> = {}): PlatformPage {
  return {
    kind: 'PLATFORMS',
    reviewId: '2027',
    status: 'OPEN',
    chain: [namedOf(samuel)],
    stage: 0,
    remindersSent: 0,
    lastSweep: 0,
    createdAt: '2027-02-01T15:00:05.000Z',
    dueAt: '2027-03-01T15:00:05.000Z',
    platforms: [platformLine('instagram', 'Instagram'), platformLine('tiktok', 'TikTok'), platformLine('x', 'X')],
    answers: {},
    ...overrides,
  };
}
