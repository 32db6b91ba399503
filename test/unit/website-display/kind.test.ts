import { describe, expect, it } from 'vitest';
import { closeRequest, type OutcomePorts } from '#approval-chain/outcome';
import { accountFindings } from '#annual-review/findings';
import type { Approval } from '#core/approval';
import type { OutcomeStore, OutcomeWrite, RequestBase } from '#core/request-kind';
import type { Standing } from '#core/standing';
import { actionsFor } from '#registry/handlers/show-registry';
import { accountPage } from '#registry/pages';
import { viewerFor } from '#site/navigation';
import { websiteDisplayFormPage } from '#website-display/form-page';
import { websiteDisplayKind } from '#website-display/kind';
import type { WebsiteDisplayRequest } from '#website-display/website-display';
import { account, accountId, approval, grant, named, person, roleHolders } from '../fixtures.ts';

const requestId = 'wd-20260310-00112233445566ff';
const moderation = 'A Parks web editor approves each post before the embed shows it and checks every link.';

function displayRequest(overrides: Partial<WebsiteDisplayRequest> = {}): WebsiteDisplayRequest {
  return {
    requestId,
    kind: 'WEBSITE_DISPLAY',
    status: 'PENDING',
    requester: named('E102'),
    accountId,
    platformId: 'instagram',
    platformName: 'Instagram',
    handle: '@ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    webPageUrl: 'https://www.cabq.gov/parks',
    content: 'The latest 3 posts',
    moderation,
    automaticFeed: false,
    steps: [
      {
        role: 'DTI_DIRECTOR',
        title: 'DTI Director (Department of Technology and Innovation)',
        approverId: 'E400',
        approverName: 'Samuel Ortiz',
        escalateToId: 'E401',
        routedToDesignee: false,
      },
    ],
    createdAt: '2026-03-10T18:00:00.000Z',
    ...overrides,
  };
}

describe('the website display kind (Q)', () => {
  it('reads as a display of the account on the page, decided by DTI', () => {
    const d = websiteDisplayKind.describe(displayRequest(), {});
    expect(d.subject).toBe('Display of Instagram @ABQParks on https://www.cabq.gov/parks for Parks and Recreation');
    expect(d.rules).toBe('Q');
    expect(d.facts).toContainEqual(['Moderation (monitoring protocol)', moderation]);
    expect(d.facts).toContainEqual(['Automatic feed of uncensored content', 'No']);
    expect(d.facts).toContainEqual(['Approval chain', 'DTI Director (Department of Technology and Innovation): Samuel Ortiz']);
    expect(d.related).toEqual([{ label: 'Instagram @ABQParks in the registry', href: `/accounts/${accountId}` }]);
  });

  it('fills the export’s subject, page, content, moderation and, once approved, the day it started', () => {
    expect(websiteDisplayKind.exportCells(displayRequest({ pageTitle: 'Parks and Recreation' }))).toEqual({
      subject: 'Parks and Recreation',
      webPageUrl: 'https://www.cabq.gov/parks',
      purpose: 'The latest 3 posts',
      reason: moderation,
      startsOn: null,
    });
    expect(websiteDisplayKind.exportCells(displayRequest({ status: 'APPROVED', closedAt: '2026-03-12T17:00:00.000Z' }))).toMatchObject({
      subject: 'https://www.cabq.gov/parks',
      startsOn: '2026-03-12',
    });
  });
});

describe('closing a website display', () => {
  const dtiApproved: Approval = approval({
    requestId,
    decision: { outcome: 'APPROVED', decidedAt: '2026-03-11T16:00:00.000Z', decidedById: 'E400', decidedByName: 'Samuel Ortiz', approvalId: 'a0' },
  });

  function ports(answer: { result: 'ok' | 'closed' } | { result: 'conflict'; failed: number }, stored?: RequestBase) {
    const sent: string[] = [];
    const writes: OutcomeWrite[][] = [];
    const closed: string[] = [];
    const store: OutcomeStore = {
      request: async () => stored,
      closeRequest: async (_id, status, _at, reason) => {
        closed.push(`${status}: ${reason}`);
        return true;
      },
      approveIntoRegistry: async () => 'ok',
      grantsOn: async () => [],
      approvePostingAuthority: async () => 'ok',
      approveWith: async (_id, _at, w) => {
        writes.push([...w]);
        return answer;
      },
    };
    const p: OutcomePorts = {
      store,
      notify: async (_id, audience) => {
        sent.push(audience);
      },
      dtiEmail: 'dti@example.invalid',
      baseUrl: 'https://governance.example.invalid/',
      now: () => '2026-03-11T16:00:05.000Z',
      log: () => {},
      openCredentialCapture: async () => {
        throw new Error('only a new account opens a credential capture');
      },
    };
    return { p, sent, writes, closed };
  }

  it('puts the standing (write-once) and checks the account is active in the closing transaction, then tells the requester and DTI', async () => {
    const { p, sent, writes } = ports({ result: 'ok' });
    const result = await closeRequest(p, { request: displayRequest(), approvals: [dtiApproved], decision: { outcome: 'APPROVED' } });
    expect(result).toEqual({ status: 'APPROVED', accountId });
    expect(writes).toEqual([
      [
        {
          put: expect.objectContaining({
            PK: `ACCOUNT#${accountId}`,
            SK: `STANDING#DISPLAY#${requestId}`,
            entity: 'Standing',
            title: 'Shown on https://www.cabq.gov/parks',
            approvedByName: 'Samuel Ortiz',
            approvedAt: '2026-03-11T16:00:00.000Z',
            startsOn: '2026-03-11',
            status: 'ACTIVE',
          }),
          mustBeNew: true,
        },
        { check: { key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' }, equals: { status: 'ACTIVE' } } },
      ],
    ]);
    expect(sent).toEqual(['requester', 'dti']);
  });

  it('fails the request with the reason when the account was retired before the approval was recorded', async () => {
    const { p, sent, closed } = ports({ result: 'conflict', failed: 1 });
    const result = await closeRequest(p, { request: displayRequest(), approvals: [dtiApproved], decision: { outcome: 'APPROVED' } });
    expect(result).toEqual({ status: 'FAILED', accountId: null });
    expect(closed).toEqual(['FAILED: Instagram @ABQParks is no longer an active account in the registry']);
    expect(sent).toEqual(['requester', 'dti-failure']);
  });

  it('on a re-run after the approval committed, tells what is owed (the ledger sends each once) without writing again', async () => {
    const { p, sent, writes } = ports({ result: 'closed' }, displayRequest({ status: 'APPROVED' }));
    expect(await closeRequest(p, { request: displayRequest(), approvals: [dtiApproved], decision: { outcome: 'APPROVED' } })).toEqual({
      status: 'APPROVED',
      accountId,
    });
    expect(writes).toHaveLength(1);
    expect(sent).toEqual(['requester', 'dti']);
  });

  it('closes a rejection with the reason and writes no standing', async () => {
    const { p, sent, writes, closed } = ports({ result: 'ok' });
    const result = await closeRequest(p, {
      request: displayRequest(),
      approvals: [],
      decision: { outcome: 'REJECTED', reason: 'The embed shows comments unmoderated.', decidedByName: 'Samuel Ortiz' },
    });
    expect(result).toEqual({ status: 'REJECTED', accountId: null });
    expect(writes).toEqual([]);
    expect(closed).toEqual(['REJECTED: The embed shows comments unmoderated.']);
    expect(sent).toEqual(['requester']);
  });
});

describe('where a display shows', () => {
  const shown: Standing = {
    accountId,
    kind: 'DISPLAY',
    requestId,
    title: 'Shown on https://www.cabq.gov/parks',
    facts: [['Content', 'The latest 3 posts']],
    approvedAt: '2026-03-11T16:00:00.000Z',
    approvedByName: 'Samuel Ortiz',
    startsOn: '2026-03-11',
    status: 'ACTIVE',
  };
  const lapsed: Standing = {
    accountId,
    kind: 'EXCEPTION',
    requestId: 'ex-20250101-00112233445566ff',
    title: 'Exception to F.b (Purpose and Commitment to Quality)',
    facts: [],
    approvedAt: '2025-01-02T16:00:00.000Z',
    approvedByName: 'Rosa Apodaca',
    startsOn: '2025-01-02',
    endsOn: '2025-02-01',
    status: 'LAPSED',
    lapsedAt: '2025-02-01T07:00:00.000Z',
  };
  const grants = [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER' })];

  it('lists what is in force on the account page, ended ones below, each linked to its request', () => {
    const v = viewerFor(person('E103'), roleHolders);
    const page = accountPage({
      viewer: v,
      account: account(),
      grants,
      standings: [lapsed, shown],
      source: { approvals: [] },
      filed: [],
      actions: actionsFor(v, account(), grants),
    });
    const section = page.slice(page.indexOf('<h2>In force on this account</h2>'), page.indexOf('<h2>Admins and posters</h2>'));
    expect(section).toContain('Shown on <a class="usa-link" href="https://www.cabq.gov/parks">https://www.cabq.gov/parks</a>');
    expect(section).toContain(`<a href="/requests/${requestId}">request ${requestId}</a>`);
    expect(section.indexOf('Shown on')).toBeLessThan(section.indexOf('<h3>Ended</h3>'));
    expect(section.indexOf('<h3>Ended</h3>')).toBeLessThan(section.indexOf('Exception to F.b (Purpose and Commitment to Quality)'));
    expect(page).toContain(`<a href="/accounts/${accountId}/displays/new">Ask to show it on a City website (Q)</a>`);
    expect(page).toContain(`<a href="/accounts/${accountId}/exceptions/new">Ask for an exception (F.d)</a>`);
  });

  it('links only a City web page among the facts: an outside or plain-http address in free text stays text', () => {
    const v = viewerFor(person('E103'), roleHolders);
    const quoting = {
      ...shown,
      facts: [['Moderation', 'https://evil.example/login'] as [string, string], ['Content', 'http://www.cabq.gov/parks'] as [string, string]],
    };
    const page = accountPage({
      viewer: v,
      account: account(),
      grants,
      standings: [quoting],
      source: { approvals: [] },
      filed: [],
      actions: actionsFor(v, account(), grants),
    });
    expect(page).toContain('<dd>https://evil.example/login</dd>');
    expect(page).toContain('<dd>http://www.cabq.gov/parks</dd>');
    expect(page).not.toContain('href="https://evil.example/login"');
  });

  it('offers the two forms only to someone holding a grant on an active account', () => {
    const outsider = viewerFor(person('E101'), roleHolders);
    expect(actionsFor(outsider, account(), grants)).toMatchObject({ exception: false, websiteDisplay: false });
    const poster = viewerFor(person('E103'), roleHolders);
    expect(actionsFor(poster, account({ status: 'RETIRED' }), grants)).toMatchObject({ exception: false, websiteDisplay: false });
    expect(actionsFor(poster, account(), grants)).toMatchObject({ exception: true, websiteDisplay: true });
  });

  it('lists the standings in force on the account’s row of the annual review', () => {
    const line = accountFindings({ account: account(), grants, standings: [shown, lapsed], people: new Map(), now: new Date('2026-04-01T00:00:00Z') });
    expect(line.standings).toEqual(['Shown on https://www.cabq.gov/parks']);
  });

  it('renders the form with its error summary first and each field pointing at its hint and error', () => {
    const v = viewerFor(person('E102'), roleHolders);
    const html = websiteDisplayFormPage({
      viewer: v,
      account: account(),
      deciderName: 'Samuel Ortiz',
      shown: [shown],
      submissionId: 'sub-12345678',
      values: { automaticFeed: 'yes', moderation: '<script>alert(1)</script>' },
      errors: { automaticFeed: 'an automatic feed of uncensored social media content cannot be shown on a City website.' },
    });
    expect(html.indexOf('id="error-summary"')).toBeGreaterThan(0);
    expect(html.indexOf('id="error-summary"')).toBeLessThan(html.indexOf('<form class="usa-form usa-form--large" method="post"'));
    expect(html).toContain('<a href="#automaticFeed-no">an automatic feed of uncensored social media content cannot be shown on a City website.</a>');
    expect(html).toContain('aria-describedby="automaticFeed-hint automaticFeed-error"');
    expect(html).toContain('aria-describedby="webPageUrl-hint"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<li>https://www.cabq.gov/parks</li>');
  });
});
