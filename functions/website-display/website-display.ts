import type { Decision } from '#core/approval';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { type ApprovalStep, type Department, type Person, planApprovalSteps, type Policy, policy, type RoleHolder } from '#core/policy';
import { type Account, type Grant, isActive } from '#core/registry';
import { fieldErrors, type PlannedStep, submissionIdSchema } from '#core/request';
import { type AccountRequestBase, accountRequestHead } from '#core/request-kind';
import { type Standing, standingItem } from '#core/standing';
import * as z from '#core/zod';

/**
 * Social media content on a City website (Q): "City websites shall not contain automatic feeds to
 * uncensored social media site content. Prior to approving content for display on City websites,
 * departments shall consult with DTI to ensure they have sufficient monitoring protocols in place."
 * Someone holding posting authority on an account asks to show its content on one City web page,
 * saying what is shown and how it is moderated; the form refuses an automatic feed of uncensored
 * content outright; DTI's director (or designee) decides by email link. An approved display is a
 * standing of the account (core/standing.ts): shown on its page and in the annual review.
 */
export interface WebsiteDisplayRequest extends AccountRequestBase {
  kind: 'WEBSITE_DISPLAY';
  /** The City web page the content is to be shown on (https, on a City site). */
  webPageUrl: string;
  /** The page's title, when the requester gave one. */
  pageTitle?: string;
  /** Which content is shown: "the latest 3 posts", "a curated embed of selected posts". */
  content: string;
  /** The monitoring protocol (Q): who checks what, how often, how links are screened, what happens to harmful content. */
  moderation: string;
  /** Always false: the form refuses an automatic feed of uncensored content (Q). Kept so the record says it was asked. */
  automaticFeed: false;
}

/** Website display requests' ids start "wd-". */
export const websiteDisplayIdPrefix = 'wd';

/** The City's web sites (policy.json websiteDisplay.citySites): a display's page is on one of them or under it (www.cabq.gov, parks.cabq.gov). */
export const citySiteDomains: readonly string[] = policy.websiteDisplay.citySites;

/** Whether a host is a City site: one of the domains or a subdomain of one. */
export const isCitySite = (host: string, domains: readonly string[] = citySiteDomains) => domains.some((d) => host === d || host.endsWith(`.${d}`));

const urlMessage = 'give the address of the City web page, starting https:// (for example https://www.cabq.gov/parks)';
const contentMessage = 'say which content is shown, for example “the latest 3 posts” or “a curated embed of selected posts” (at least 10 characters)';
const moderationMessage =
  'describe how it is moderated: who checks what, how often, how links are screened and what happens to harmful content (at least 40 characters)';
const feedMessage = 'say whether it is an automatic feed of uncensored content: yes or no';

/** The refusal of an automatic feed of uncensored content, quoting rule Q. */
export const automaticFeedRefusal = (p: Policy = policy) =>
  `an automatic feed of uncensored social media content cannot be shown on a City website. Rule Q: “${p.websiteDisplay.rule}” Show content someone checks before it appears instead, and describe that moderation.`;

/** The form's answer to "is it an automatic feed of uncensored content?": a form sends yes/no, a JSON client may send a boolean. */
const feedAnswer = z.pipe(
  z.union([z.boolean(), z.enum(['yes', 'no', 'YES', 'NO', 'true', 'false'])], { error: feedMessage }),
  z.transform((v: boolean | 'yes' | 'no' | 'YES' | 'NO' | 'true' | 'false'): boolean => v === true || v === 'yes' || v === 'YES' || v === 'true'),
);

/** The website display form, as a person fills it in. The requester and the account are never part of it. */
export const websiteDisplayFormSchema = z.object({
  submissionId: submissionIdSchema,
  webPageUrl: z.string({ error: urlMessage }).check(z.trim(), z.minLength(1, urlMessage), z.maxLength(500, 'keep the web page’s address under 500 characters')),
  pageTitle: z.optional(
    z.string({ error: 'give the page’s title as text, or leave it empty' }).check(z.trim(), z.maxLength(200, 'keep the page’s title under 200 characters')),
  ),
  content: z.string({ error: contentMessage }).check(z.trim(), z.minLength(10, contentMessage), z.maxLength(1000, 'keep what is shown under 1000 characters')),
  moderation: z
    .string({ error: moderationMessage })
    .check(z.trim(), z.minLength(40, moderationMessage), z.maxLength(4000, 'keep the moderation under 4000 characters')),
  automaticFeed: feedAnswer,
});

export interface WebsiteDisplayForm {
  submissionId?: string;
  webPageUrl: string;
  pageTitle?: string;
  content: string;
  moderation: string;
  automaticFeed: false;
}

/** Why an address is not a City web page over https, or undefined when it is one. */
export function webPageProblem(value: string, domains: readonly string[] = citySiteDomains): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return urlMessage;
  }
  if (url.protocol !== 'https:') return 'the web page’s address must start https://';
  if (url.username || url.password) return 'give the web page’s address without a user name or password';
  if (!isCitySite(url.hostname.toLowerCase(), domains)) {
    return `${url.hostname} is not a City website: give a page on ${domains.join(' or ')} (for example https://www.cabq.gov/parks)`;
  }
  return undefined;
}

/**
 * Validates the form: a City page over https, what is shown, how it is moderated, and a "no" to an
 * automatic feed of uncensored content (a "yes" is refused on that field, quoting Q). Throws
 * InvalidInputError with one message per field.
 */
export function parseWebsiteDisplayForm(raw: Record<string, unknown>, p: Policy = policy): WebsiteDisplayForm {
  const result = websiteDisplayFormSchema.safeParse(raw);
  const fields = result.success ? {} : fieldErrors(result.error);
  if (result.success) {
    const problem = webPageProblem(result.data.webPageUrl);
    if (problem) fields.webPageUrl = problem;
    if (result.data.automaticFeed) fields.automaticFeed = automaticFeedRefusal(p);
  }
  if (!result.success || Object.keys(fields).length > 0) throw new InvalidInputError('The form has fields to fix.', fields);
  const { pageTitle, ...rest } = result.data;
  return { ...rest, ...(pageTitle ? { pageTitle } : {}), webPageUrl: new URL(rest.webPageUrl).href, automaticFeed: false };
}

/** Who may ask (403 otherwise): someone holding an active grant (admin or poster) on the account. */
export function assertMayAskDisplay(input: { requester: Pick<Person, 'id'>; account: Account; grants: Grant[] }): void {
  const { requester, account } = input;
  if (input.grants.some((g) => isActive(g) && g.accountId === account.accountId && g.personId === requester.id)) return;
  const admins = input.grants.filter((g) => isActive(g) && g.accountId === account.accountId && g.role === 'ADMIN').map((g) => g.personName);
  throw new ForbiddenError(
    `Only someone with posting authority on ${account.platformName} ${account.handle} (an admin or a poster) can ask to show its content on a City website (Q).${
      admins.length ? ` Ask one of its admins (${admins.join(', ')}), or ask for posting authority first.` : ' Ask for posting authority first.'
    }`,
  );
}

/** Refuses (409) a second display of the account on a page where one is in force. */
export function assertNotShownThere(input: { account: Account; webPageUrl: string; standings: readonly Standing[] }): void {
  const shown = input.standings.find((s) => s.kind === 'DISPLAY' && s.status === 'ACTIVE' && s.title === displayTitle(input.webPageUrl));
  if (!shown) return;
  throw new ConflictError(
    `${input.account.platformName} ${input.account.handle} is already shown on ${input.webPageUrl}, approved by ${shown.approvedByName} (request ${shown.requestId}).`,
  );
}

/**
 * Who decides (Q): DTI's director, its designee deciding when the director is the requester. The
 * DTI department comes from the directory (`store.department('DTI')`).
 */
export function websiteDisplaySteps(
  input: { requester: Pick<Person, 'id'>; department: Department; roleHolders: RoleHolder[]; dti: Department | undefined },
  p: Policy = policy,
): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    chain: p.websiteDisplay.chain,
    department: input.department,
    roleHolders: input.roleHolders,
    ...(input.dti ? { dti: input.dti } : {}),
    policy: p,
  });
}

/** The stored request, routed along the planned steps. */
export function websiteDisplayRequest(input: {
  requester: Person;
  account: Account;
  department: Department;
  form: WebsiteDisplayForm;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): WebsiteDisplayRequest {
  const { form } = input;
  return {
    ...accountRequestHead({ ...input, kind: 'WEBSITE_DISPLAY', idPrefix: websiteDisplayIdPrefix }),
    webPageUrl: form.webPageUrl,
    ...(form.pageTitle ? { pageTitle: form.pageTitle } : {}),
    content: form.content,
    moderation: form.moderation,
    automaticFeed: false,
  };
}

/** "Shown on https://www.cabq.gov/parks": a display's standing title. */
export const displayTitle = (webPageUrl: string) => `Shown on ${webPageUrl}`;

/** The calendar day an instant falls on in the City's time zone. */
export function cityDay(at: string, zone: string = policy.annualReview.timeZone): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date(at))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The standing an approved display puts on its account: in force from the day it was approved, until withdrawn. */
export function displayStanding(request: WebsiteDisplayRequest, decision: Pick<Decision, 'decidedAt' | 'decidedByName'>): Standing {
  return {
    accountId: request.accountId,
    kind: 'DISPLAY',
    requestId: request.requestId,
    title: displayTitle(request.webPageUrl),
    facts: [
      ...(request.pageTitle ? [['Page', request.pageTitle] as [string, string]] : []),
      ['Content', request.content],
      ['Moderation', request.moderation],
      ['Asked by', request.requester.name],
    ],
    approvedAt: decision.decidedAt,
    approvedByName: decision.decidedByName,
    startsOn: cityDay(decision.decidedAt),
    status: 'ACTIVE',
  };
}

/** The standing's item (core/standing.ts keys it under the account). */
export const displayStandingItem = (request: WebsiteDisplayRequest, decision: Pick<Decision, 'decidedAt' | 'decidedByName'>) =>
  standingItem(displayStanding(request, decision));
