import { describe, expect, it } from 'vitest';
import { requestIdPattern } from '#approval-chain/kinds';
import { ConfigurationError, ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import type { Standing } from '#core/standing';
import {
  assertMayAskDisplay,
  assertNotShownThere,
  displayStanding,
  displayStandingItem,
  parseWebsiteDisplayForm,
  websiteDisplayRequest,
  websiteDisplaySteps,
} from '#website-display/website-display';
import { account, department, grant, person, roleHolders } from '../fixtures.ts';

const moderation =
  'A Parks web editor approves each post before the embed shows it, checks every link with the City URL scanner, and removes harmful content within an hour.';
const form = {
  submissionId: 'sub-12345678',
  webPageUrl: 'https://www.cabq.gov/parks',
  pageTitle: 'Parks and Recreation',
  content: 'A curated embed of selected posts',
  moderation,
  automaticFeed: 'no',
};

/** The fields a form is refused for. */
function fieldsOf(raw: Record<string, unknown>): Record<string, string> {
  try {
    parseWebsiteDisplayForm(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields;
  }
  throw new Error('expected the form to be refused');
}

describe('parseWebsiteDisplayForm (Q)', () => {
  it('accepts a City page over https with what is shown, its moderation and a "no" to an automatic feed', () => {
    expect(parseWebsiteDisplayForm(form)).toEqual({
      submissionId: 'sub-12345678',
      webPageUrl: 'https://www.cabq.gov/parks',
      pageTitle: 'Parks and Recreation',
      content: 'A curated embed of selected posts',
      moderation,
      automaticFeed: false,
    });
  });

  it('accepts a JSON false, a subdomain of cabq.gov and no page title', () => {
    const parsed = parseWebsiteDisplayForm({ ...form, pageTitle: '', automaticFeed: false, webPageUrl: 'https://library.cabq.gov/events' });
    expect(parsed).toEqual({
      submissionId: 'sub-12345678',
      webPageUrl: 'https://library.cabq.gov/events',
      content: 'A curated embed of selected posts',
      moderation,
      automaticFeed: false,
    });
  });

  it('refuses an automatic feed of uncensored content on that field, quoting rule Q', () => {
    expect(fieldsOf({ ...form, automaticFeed: 'yes' })).toEqual({
      automaticFeed:
        'an automatic feed of uncensored social media content cannot be shown on a City website. Rule Q: “City websites shall not contain automatic feeds to uncensored social media site content. Prior to approving content for display on City websites, departments shall consult with DTI to ensure they have sufficient monitoring protocols in place to ensure content and links are appropriate and free from harmful technical attacks.” Show content someone checks before it appears instead, and describe that moderation.',
    });
    expect(Object.keys(fieldsOf({ ...form, automaticFeed: true }))).toEqual(['automaticFeed']);
  });

  it.each([
    ['webPageUrl', { webPageUrl: undefined }, 'give the address of the City web page, starting https:// (for example https://www.cabq.gov/parks)'],
    ['webPageUrl', { webPageUrl: 'the parks page' }, 'give the address of the City web page, starting https:// (for example https://www.cabq.gov/parks)'],
    ['webPageUrl', { webPageUrl: 'http://www.cabq.gov/parks' }, 'the web page’s address must start https://'],
    [
      'webPageUrl',
      { webPageUrl: 'https://parks.example.com/' },
      'parks.example.com is not a City website: give a page on cabq.gov (for example https://www.cabq.gov/parks)',
    ],
    [
      'webPageUrl',
      { webPageUrl: 'https://notcabq.gov/' },
      'notcabq.gov is not a City website: give a page on cabq.gov (for example https://www.cabq.gov/parks)',
    ],
    ['webPageUrl', { webPageUrl: 'https://editor:pw@www.cabq.gov/parks' }, 'give the web page’s address without a user name or password'],
    ['pageTitle', { pageTitle: 'x'.repeat(201) }, 'keep the page’s title under 200 characters'],
    [
      'content',
      { content: 'posts' },
      'say which content is shown, for example “the latest 3 posts” or “a curated embed of selected posts” (at least 10 characters)',
    ],
    [
      'moderation',
      { moderation: 'We watch it.' },
      'describe how it is moderated: who checks what, how often, how links are screened and what happens to harmful content (at least 40 characters)',
    ],
    ['automaticFeed', { automaticFeed: undefined }, 'say whether it is an automatic feed of uncensored content: yes or no'],
    ['automaticFeed', { automaticFeed: 'maybe' }, 'say whether it is an automatic feed of uncensored content: yes or no'],
    ['submissionId', { submissionId: 'x' }, 'reload the form and submit again'],
  ])('refuses %s with a message a person can act on (%o)', (field, change, message) => {
    expect(fieldsOf({ ...form, ...change })).toEqual({ [field]: message });
  });

  it('names every field to fix at once', () => {
    expect(Object.keys(fieldsOf({})).sort()).toEqual(['automaticFeed', 'content', 'moderation', 'webPageUrl']);
  });
});

describe('who may ask and who decides', () => {
  const parks = account();

  it('lets a poster or an admin of the account ask', () => {
    expect(() =>
      assertMayAskDisplay({ requester: person('E103'), account: parks, grants: [grant(), grant({ personId: 'E103', role: 'POSTER' })] }),
    ).not.toThrow();
  });

  it('refuses someone without an active grant, naming the admins to ask', () => {
    const grants = [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', status: 'REVOKED' })];
    const refuse = () => assertMayAskDisplay({ requester: person('E103'), account: parks, grants });
    expect(refuse).toThrow(ForbiddenError);
    expect(refuse).toThrow(
      'Only someone with posting authority on Instagram @ABQParks (an admin or a poster) can ask to show its content on a City website (Q). Ask one of its admins (Ana Gallegos), or ask for posting authority first.',
    );
  });

  it('sends it to the DTI director, with the DTI designee to escalate to', () => {
    const steps = websiteDisplaySteps({ requester: person('E102'), department: department('PRD'), roleHolders, dti: department('DTI') });
    expect(steps).toEqual([
      {
        role: 'DTI_DIRECTOR',
        title: 'DTI Director (Department of Technology and Innovation)',
        approverId: 'E400',
        escalateToId: 'E401',
        routedToDesignee: false,
      },
    ]);
  });

  it('sends the DTI director’s own request to the DTI designee, with nobody to escalate to', () => {
    const steps = websiteDisplaySteps({ requester: person('E400'), department: department('DTI'), roleHolders, dti: department('DTI') });
    expect(steps).toEqual([
      { role: 'DTI_DIRECTOR', title: 'DTI Director (Department of Technology and Innovation)', approverId: 'E401', escalateToId: null, routedToDesignee: true },
    ]);
  });

  it('says DTI must be in the directory when it is not', () => {
    expect(() => websiteDisplaySteps({ requester: person('E102'), department: department('PRD'), roleHolders, dti: undefined })).toThrow(ConfigurationError);
  });
});

describe('the request and its standing', () => {
  const request = websiteDisplayRequest({
    requester: person('E102'),
    account: account(),
    department: department('PRD'),
    form: parseWebsiteDisplayForm(form),
    steps: [],
    submissionId: 'sub-12345678',
    now: new Date('2026-03-10T18:00:00.000Z'),
  });

  it('has a wd- id any request page accepts, and keeps that it is no automatic feed', () => {
    expect(request.requestId).toMatch(/^wd-20260310-[0-9a-f]{16}$/);
    expect(requestIdPattern.test(request.requestId)).toBe(true);
    expect(request).toMatchObject({ kind: 'WEBSITE_DISPLAY', status: 'PENDING', accountId: account().accountId, automaticFeed: false });
  });

  it('puts a standing on the account from the day it is approved in Albuquerque', () => {
    // 03:30 UTC on 11 March is still 10 March in America/Denver.
    const decision = { decidedAt: '2026-03-11T03:30:00.000Z', decidedByName: 'Ramon Ortega' };
    expect(displayStanding(request, decision)).toEqual({
      accountId: 'acct-20250301-0123456789abcdef',
      kind: 'DISPLAY',
      requestId: request.requestId,
      title: 'Shown on https://www.cabq.gov/parks',
      facts: [
        ['Page', 'Parks and Recreation'],
        ['Content', 'A curated embed of selected posts'],
        ['Moderation', moderation],
        ['Asked by', 'Ana Gallegos'],
      ],
      approvedAt: '2026-03-11T03:30:00.000Z',
      approvedByName: 'Ramon Ortega',
      startsOn: '2026-03-10',
      status: 'ACTIVE',
    });
    expect(displayStandingItem(request, decision)).toMatchObject({
      PK: 'ACCOUNT#acct-20250301-0123456789abcdef',
      SK: `STANDING#DISPLAY#${request.requestId}`,
      entity: 'Standing',
    });
  });

  it('refuses a second display on a page where one is in force, but not where one has ended', () => {
    const shown: Standing = {
      ...displayStanding(request, { decidedAt: '2026-03-11T03:30:00.000Z', decidedByName: 'Ramon Ortega' }),
      requestId: 'wd-20260101-0000000000000001',
    };
    const check = (standings: Standing[]) => () => assertNotShownThere({ account: account(), webPageUrl: 'https://www.cabq.gov/parks', standings });
    expect(check([shown])).toThrow(ConflictError);
    expect(check([shown])).toThrow(
      'Instagram @ABQParks is already shown on https://www.cabq.gov/parks, approved by Ramon Ortega (request wd-20260101-0000000000000001).',
    );
    expect(check([{ ...shown, status: 'WITHDRAWN' }])).not.toThrow();
  });
});
