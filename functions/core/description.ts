import type { Approval } from '#core/approval';
import type { GovernanceRecord } from '#core/records';
import type { PlannedStep } from '#core/request';

/*
 * How a request reads, whatever its kind: each kind's module fills a RequestDescription, and every
 * page and email about a request reads it from there (see #approval-chain/kinds).
 */

export const capitalized = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** What a request is, in words: every page and email about a request reads it from here. */
export interface RequestDescription {
  /** What is asked for, as a heading reads after its first letter: "new Instagram account @ABQParks". */
  title: string;
  /** The title with what tells requests apart in an inbox: "new Instagram account @ABQParks for Parks and Recreation". */
  subject: string;
  /** The article `subject` takes in running text ("a new … account"), or none. */
  article: string;
  /** The request's outcome is about this: "Instagram account @ABQParks". */
  outcomeTitle: string;
  /** The policy rules the approval rests on, e.g. "D, S.a". */
  rules: string;
  /** What approval did, told to the requester (and the person it was for). */
  approvedNote: string;
  /** What the approver reads before deciding: label and value, the same on a page and in an email. */
  facts: [label: string, value: string][];
  /** How a page shows some of the facts (by label); every other fact shows as typed. An email shows them all as text. */
  factShapes?: Partial<Record<string, FactShape>>;
  /** The records this request created or concerns, each with its page (the account it is about, once there is one). */
  related?: RelatedLink[];
  /** What a "Decision needed:" subject asks, where it reads better than `subject` ("remove a post from …"). */
  ask?: string;
  /** Told first to someone other than the requester who hears of the approval; default: who asked on their behalf. */
  behalfNote?: string;
  /** What the requester is told when the request expires; default: nobody decided in time. */
  expiredNote?: string;
  /** What happens after an approval of each step, shown to the approver who gave it. */
  afterApproval?: string[];
  /** How a confirm step (stepMode 'confirm') asks the requester to do what was approved and say so. */
  confirmation?: {
    heading: string;
    subject: string;
    reminderSubject: string;
    /** What to do now, in the email and on the page. */
    instruction: string;
    /** The email's link label and the page's one button. */
    link: string;
    button: string;
    /** A confirmation in the history: "confirmed removed". */
    done: string;
    /** What the person is told once their confirmation is recorded. */
    recorded: string;
  };
}

/**
 * How a page shows a fact's value, which stays plain text for an email's text part: `link`, a web
 * address that becomes a link when it is http(s); `list`, one item a line; `links`, one web address a
 * line, each a link when it is http(s). The value stays text: a list's items are its lines.
 */
export type FactShape = 'link' | 'list' | 'links';

/** A record a request created or concerns, and its page: "Instagram account @ABQParks" → /accounts/acct-…. */
export interface RelatedLink {
  label: string;
  href: string;
}

/** What describing a request may need besides the request: a removal's preserved record (H) and its decisions so far. */
export interface DescribeContext {
  record?: GovernanceRecord;
  approvals?: Approval[];
}

/** Who decides each step; a step routed to the designee says why (nobody decides their own request). */
export const chainFact = (request: { steps: readonly PlannedStep[] }, interested: string): [string, string] => [
  'Approval chain',
  request.steps.map((s) => `${s.title}: ${s.approverName}${s.routedToDesignee ? ` (designee: ${interested} holds this role)` : ''}`).join('\n'),
];

/** Whether a value is a web address a page may link to: http or https only, never javascript:, data: or a relative path. */
export function isWebAddress(value: string): boolean {
  if (!/^https?:\/\//i.test(value.trim())) return false;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
