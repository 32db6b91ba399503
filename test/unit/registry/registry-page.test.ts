import { describe, expect, it } from 'vitest';
import type { Platform } from '#core/platform';
import { type AccountView, accountPage, platformRetirement, type RegistryListView, registryPage } from '#registry/pages';
import { actionsFor } from '#registry/handlers/show-registry';
import { planQuery } from '#registry/registry-query';
import { viewerFor } from '#site/navigation';
import { account, accountId, approval, departments, grant, paRequestId, person, requestId, roleHolders } from '../fixtures.ts';

const attack = '<img src=x onerror=alert(1)>';
const escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';
const viewer = (id: string) => viewerFor(person(id), roleHolders);
const platforms: Platform[] = [
  { id: 'facebook', name: 'Facebook', approved: true },
  { id: 'instagram', name: 'Instagram', approved: true },
] as Platform[];

function list(overrides: Partial<RegistryListView> = {}): string {
  const filters = overrides.filters ?? { status: 'ACTIVE', sort: 'platform' };
  return registryPage({
    viewer: viewer('E400'),
    filters,
    allDepartments: false,
    plan: planQuery(filters),
    accounts: [account()],
    departments,
    platforms,
    ...overrides,
  });
}

const grants = [
  grant(),
  grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', receivesCredential: false, sourceRequestId: paRequestId }),
  grant({
    personId: 'E101',
    personName: 'Marcus Chavez',
    status: 'REVOKED',
    sourceRequestId: 'off-20250401-0011223344556677',
    revokedAt: '2025-04-01T16:00:00.000Z',
    revokedReason: 'separated',
    revokedBySourceId: 'off-20250401-0011223344556677',
  }),
];

function shownTo(id: string, overrides: Partial<AccountView> = {}): string {
  const v = viewer(id);
  return accountPage({
    viewer: v,
    account: account(),
    grants,
    source: {
      approvals: [
        approval({ decision: { outcome: 'APPROVED', decidedAt: '2025-03-02T16:00:00.000Z', decidedById: 'E100', decidedByName: 'Dolores Baca' } as never }),
      ],
    },
    filed: [],
    actions: actionsFor(v, account(), grants),
    ...overrides,
  });
}

const links = {
  authority: `<a href="/accounts/${accountId}/authority/new">Request posting authority</a>`,
  removal: `<a href="/accounts/${accountId}/removals/new">Request a post removal</a>`,
  correction: `<a href="/accounts/${accountId}/edits/new">Record a correction</a>`,
  moderation: `<a href="/accounts/${accountId}/moderation/new">Record a moderation removal</a>`,
};

describe('registryPage (the list)', () => {
  it('links each row to its account page, in a table that stacks on a phone', () => {
    const shown = list();
    expect(shown).toContain(`<td data-label="Account"><a href="/accounts/${accountId}">Instagram @ABQParks</a></td>`);
    expect(shown).toContain('usa-table--stacked');
    expect(shown).toContain('<td data-label="Department">Parks and Recreation (PRD)</td>');
  });

  it('has one h1, a label for every control, a GET form, and no inline style or script', () => {
    const shown = list();
    expect(shown.match(/<h1/g)).toEqual(['<h1']);
    for (const id of ['q', 'platform', 'department', 'status', 'sort']) expect(shown).toContain(`<label class="usa-label" for="${id}">`);
    expect(shown).toContain('<form class="usa-form usa-form--large app-registry-filters" method="get" action="/accounts"');
    expect(shown).not.toContain('style=');
    expect(shown).not.toMatch(/<script>/);
  });

  it('summarizes the results and links the next page with its cursor, and the way back to the first', () => {
    const cursor = { key: { PK: 'ACCOUNT#acct-a', SK: 'PROFILE', GSI1PK: 'ACCOUNTS#ACTIVE', GSI1SK: 'facebook#@a' }, start: 26 };
    const next = { key: { ...cursor.key, GSI1SK: 'facebook#@b', PK: 'ACCOUNT#acct-b' }, start: 27 };
    const shown = list({ filters: { platform: 'facebook', status: 'ACTIVE', sort: 'platform' }, cursor, next });
    expect(shown).toContain('Showing 26–26 of accounts matching: Facebook, active. Sorted by platform, then handle.');
    expect(shown).toContain('href="/accounts?platform=facebook"><span class="usa-pagination__link-text">First page</span>');
    expect(shown).toContain(`href="/accounts?platform=facebook&amp;cursor=${Buffer.from(JSON.stringify(next)).toString('base64url')}" rel="next"`);
  });

  it('says an empty Retired list is empty because no account has been retired yet', () => {
    expect(list({ filters: { status: 'RETIRED', sort: 'platform' }, accounts: [] })).toContain(
      'No accounts match: retired. No account matching these filters has been retired.',
    );
  });

  it('links departments whose name matches the search text to their filter', () => {
    const shown = list({ filters: { q: 'parks', status: 'ACTIVE', sort: 'platform' } });
    expect(shown).toContain('Departments matching “parks”: <a href="/accounts?department=PRD">Parks and Recreation’s accounts</a>');
  });

  it('shows the own-department default with the way to every account', () => {
    const shown = list({ viewer: viewer('E310'), ownDefault: departments.find((d) => d.code === 'APD') });
    expect(shown).toContain('Showing APD’s accounts · <a href="/accounts?department=all">Show all City accounts</a>');
  });

  it('links the CSV download of the same filters', () => {
    expect(list({ filters: { department: 'PRD', status: 'ACTIVE', sort: 'platform' } })).toContain(
      '<a href="/accounts?department=PRD&amp;format=csv">Download the accounts matching these filters as CSV</a>',
    );
  });

  it('flags an account on a retired platform, and only that one, and still offers the retired platform as a filter', () => {
    const retired = { id: 'instagram', name: 'Instagram', approved: false, status: 'RETIRED', retiredAt: '2025-04-01T16:00:00.000Z' } as Platform;
    const shown = list({
      platforms: [platforms[0] as Platform, retired],
      accounts: [account(), account({ accountId: 'acct-fb', platformId: 'facebook', platformName: 'Facebook', handle: '@ABQParksFB' })],
    });
    expect(shown).toContain(`<a href="/accounts/${accountId}">Instagram @ABQParks</a> <span class="usa-tag">Platform retired</span></td>`);
    expect(shown).toContain('<a href="/accounts/acct-fb">Facebook @ABQParksFB</a></td>');
    expect(shown.match(/Platform retired/g)).toHaveLength(1);
    expect(shown).toContain('<option value="instagram">Instagram (retired)</option>');
    expect(list()).not.toContain('Platform retired');
  });

  it('escapes handles and search text', () => {
    const shown = list({ accounts: [account({ handle: `@x${attack}` })], filters: { q: attack, status: 'ACTIVE', sort: 'platform' } });
    expect(shown).not.toContain(attack);
    expect(shown).toContain(`@x${escapedAttack}`);
    expect(shown).toContain(`value="${escapedAttack}"`);
  });
});

describe('accountPage', () => {
  it('shows who approved the account and when, linked to its request', () => {
    expect(shownTo('E400')).toContain(`by Dolores Baca, Mar 2, 2025, 9:00:00 AM MST, through <a href="/requests/${requestId}">request ${requestId}</a>`);
  });

  it('lists active admins and posters with who authorized them and through what, and revoked ones apart', () => {
    const shown = shownTo('E400');
    expect(shown).toContain(
      '<td data-label="Person">Ana Gallegos</td><td data-label="Role">admin, shared credential</td><td data-label="Authorized by">Dolores Baca</td>',
    );
    expect(shown).toContain(`<td data-label="Through"><a href="/requests/${paRequestId}">request ${paRequestId}</a></td>`);
    expect(shown).toContain('<summary>Revoked posting authority (1), kept on record</summary>');
    expect(shown).toContain('<a href="/offboardings/off-20250401-0011223344556677">offboarding off-20250401-0011223344556677</a>');
  });

  it('shows a poster removal and correction, and posting authority', () => {
    const shown = shownTo('E103');
    expect(shown).toContain(links.authority);
    expect(shown).toContain(links.removal);
    expect(shown).toContain(links.correction);
    expect(shown).not.toContain(links.moderation);
  });

  it('shows someone without a grant only posting authority', () => {
    const shown = shownTo('E202');
    expect(shown).toContain(links.authority);
    expect(shown).not.toContain(links.removal);
    expect(shown).not.toContain(links.correction);
    expect(shown).not.toContain(links.moderation);
  });

  it('shows the Communications Director moderation, and no removal or correction without a grant', () => {
    const shown = shownTo('E500');
    expect(shown).toContain(links.moderation);
    expect(shown).toContain(links.authority);
    expect(shown).not.toContain(links.removal);
    expect(shown).not.toContain(links.correction);
  });

  it('shows someone whose grant was revoked no removal or correction', () => {
    const shown = shownTo('E101');
    expect(shown).not.toContain(links.removal);
    expect(shown).not.toContain(links.correction);
  });

  it('links the records export only for those who may export', () => {
    expect(shownTo('E400')).toContain(`<a href="/records/export?accountId=${accountId}">Export this account’s records</a>`);
    expect(shownTo('E103')).not.toContain('/records/export?accountId=');
  });

  it('lists filed records and requests, each linked where it has a page', () => {
    const shown = shownTo('E400', {
      filed: [
        {
          type: 'record',
          record: {
            recordId: 'rec-edit-20250405-0123456789abcdef',
            kind: 'POST_EDIT',
            accountId,
            accountLabel: 'Instagram @ABQParks',
            departmentCode: 'PRD',
            departmentName: 'Parks and Recreation',
            recordedAt: '2025-04-05T16:00:00.000Z',
            recordedById: 'E102',
            recordedByName: attack,
            sha256: 'x',
          },
        },
      ],
    });
    expect(shown).toContain(`<td data-label="What">Correction (M.b)</td><td data-label="By">${escapedAttack}</td>`);
    expect(shown).toContain('record rec-edit-20250405-0123456789abcdef');
    expect(shown).not.toContain(attack);
  });

  it('says when, by whom and why the account’s platform was retired, with a link to the platform', () => {
    const retirement = platformRetirement({
      id: 'instagram',
      name: 'Instagram',
      approved: false,
      status: 'RETIRED',
      retiredAt: '2025-04-01T16:00:00.000Z',
      retiredByName: 'Samuel Ortiz',
      retiredReason: `Terms changed ${attack}`,
    });
    const shown = shownTo('E102', retirement ? { platformRetired: retirement } : {});
    expect(shown).toContain('<h2 class="usa-alert__heading">Platform retired</h2>');
    expect(shown).toContain('DTI retired Instagram from the approved list (O.a) on Apr 1, 2025, 10:00:00 AM MDT (Samuel Ortiz).</p>');
    expect(shown).toContain(`<p class="margin-0">Why: Terms changed ${escapedAttack}</p>`);
    expect(shown).toContain('<a href="/platforms/instagram">The platform’s page</a>');
    expect(shown).not.toContain(attack);
    expect(shownTo('E102')).not.toContain('Platform retired');
    expect(platformRetirement({ id: 'x', name: 'X', approved: true, status: 'APPROVED' })).toBeUndefined();
    expect(platformRetirement(undefined)).toBeUndefined();
  });

  it('escapes grant names and handles', () => {
    const shown = shownTo('E400', { account: account({ handle: `@x${attack}` }), grants: [grant({ personName: attack })] });
    expect(shown).not.toContain(attack);
    expect(shown).toContain(`@x${escapedAttack}`);
  });
});
