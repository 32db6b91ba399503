/**
 * G. Every approval workflow on its own state machine (issue 12): one approved request of each kind
 * on the local stack, metered from its submit to its recorded approval: the state transitions of
 * its execution, DynamoDB read and write units, and emails, beside the new-account figures (the
 * per-step floor is about 4 transitions and 3 write units). Then how the cost of the one workflow
 * whose input can be large (a departmental policy's text, R) grows with that input.
 */
import { randomBytes } from 'node:crypto';
import type { ApprovalWorkflow } from '#catalogue';
import { validForm } from '../test/support/forms.ts';
import type { StackSession } from './stack-session.ts';
import { tapStateEntries } from './state-entries.ts';
import { round, sleep } from './stats.ts';

interface Case {
  workflow: Exclude<ApprovalWorkflow, 'approvalChain'>;
  label: string;
  requester: string;
  /** What the workflow's input size is, when it has one that varies. */
  input?: string;
  /** Set-up outside the meter (an account to ask about); returns the form's address and body. */
  prepare(): Promise<{ path: string; body: Record<string, unknown> }>;
  /** The people who decide, in order, by email address. */
  deciders: string[];
}

export interface WorkflowRun {
  workflow: string;
  label: string;
  input?: string;
  steps: number;
  transitions: number;
  transitionsPerStep: number;
  readUnits: number;
  writeUnits: number;
  writeUnitsPerStep: number;
  emails: number;
}

const submissionId = () => randomBytes(9).toString('base64url');
const today = () => new Date().toISOString().slice(0, 10);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** Policy text of about `chars` characters (English prose, one byte a character in UTF-8). */
const policyText = (chars: number) =>
  'Staff post only during business hours and answer questions within one working day. '.repeat(Math.ceil(chars / 84)).slice(0, chars);

export async function benchWorkflows({ stack, meter, recorder, mailbox, clearMailbox }: StackSession): Promise<{ runs: WorkflowRun[]; notes: string[] }> {
  const { seedAccounts } = await import('../test/support/offboarding.ts');
  recorder.outside = () => 'local dev sign-in';
  const parksAccount = async () => {
    const [account] = await seedAccounts(stack, 1, [{ personId: 'E102', role: 'ADMIN' }]);
    if (!account) throw new Error('no account seeded');
    return account.accountId;
  };
  const policy = (chars: number): Case => ({
    workflow: 'departmentPolicyApproval',
    label: 'Departmental policy (R)',
    input: `${chars.toLocaleString('en-US')}-character text`,
    requester: 'E102',
    prepare: async () => ({
      path: '/departments/PRD/policies',
      body: {
        submissionId: submissionId(),
        version: `b${randomBytes(3).toString('hex')}`,
        text: policyText(chars),
        additions: 'Adds posting hours and response times.',
      },
    }),
    deciders: ['emartinez@cabq.example'],
  });
  const cases: Case[] = [
    {
      workflow: 'newAccountApproval',
      label: 'New account (D, E, S.a)',
      requester: 'E102',
      prepare: async () => ({ path: '/requests', body: { ...validForm, proposedHandle: `@g${randomBytes(5).toString('hex')}`, submissionId: submissionId() } }),
      deciders: ['dbaca@cabq.example', 'emartinez@cabq.example'],
    },
    {
      workflow: 'postingAuthorityApproval',
      label: 'Posting authority (B)',
      requester: 'E103',
      prepare: async () => ({
        path: `/accounts/${await parksAccount()}/authority`,
        body: { submissionId: submissionId(), role: 'POSTER', reason: 'Posts the weekly pool schedule and closures.' },
      }),
      deciders: ['dbaca@cabq.example'],
    },
    {
      workflow: 'postRemovalApproval',
      label: 'Post removal (M.c): supervisor, then the requester confirms',
      requester: 'E102',
      prepare: async () => ({
        path: `/accounts/${await parksAccount()}/removals`,
        body: {
          submissionId: submissionId(),
          postRef: `https://www.facebook.com/abqparks/posts/${randomBytes(6).toString('hex')}`,
          action: 'DELETE',
          reason: 'The post gave the wrong date for the pool opening.',
          content: { text: 'Pools open June 1!', author: 'ABQ Parks', publishedAt: '2026-05-20T15:04:00Z', mediaLinks: [] },
        },
      }),
      // Ana Gallegos's supervisor, then Ana herself confirming the post removed.
      deciders: ['mchavez@cabq.example', 'agallegos@cabq.example'],
    },
    policy(1_000),
    {
      workflow: 'exceptionApproval',
      label: 'Exception (F.d), to its approval (its notice and lapse come later)',
      requester: 'E102',
      prepare: async () => ({
        path: `/accounts/${await parksAccount()}/exceptions`,
        body: {
          submissionId: submissionId(),
          standard: 'b',
          reason: 'A pilot of short-form video before the quality standard covers it.',
          startsOn: today(),
          endsOn: inDays(90),
        },
      }),
      // The Communications Coordinator.
      deciders: ['rapodaca@cabq.example'],
    },
    {
      workflow: 'websiteDisplayApproval',
      label: 'Display on a City website (Q)',
      requester: 'E102',
      prepare: async () => ({
        path: `/accounts/${await parksAccount()}/displays`,
        body: {
          submissionId: submissionId(),
          webPageUrl: 'https://www.cabq.gov/parksandrecreation/events',
          content: 'The three newest posts, chosen by the account admins.',
          moderation: 'An admin checks every shown post and its links each working morning and removes anything off-topic or harmful at once.',
          automaticFeed: 'no',
        },
      }),
      // DTI's director.
      deciders: ['sortiz@cabq.example'],
    },
    {
      workflow: 'platformProposalApproval',
      label: 'New platform (O.a)',
      requester: 'E102',
      prepare: async () => ({
        path: '/platform-proposals',
        body: {
          submissionId: submissionId(),
          name: `Bench ${randomBytes(3).toString('hex')}`,
          siteUrl: 'https://bench.example',
          description: 'A neighbourhood events board residents already use.',
          reason: 'Parks wants to post its volunteer days where residents look for them.',
          agreementUrl: 'https://bench.example/terms',
        },
      }),
      deciders: ['sortiz@cabq.example'],
    },
    policy(40_000),
  ];

  const taps = new Map<string, ReturnType<typeof tapStateEntries>>();
  const runs: WorkflowRun[] = [];
  for (const c of cases) {
    if (!taps.has(c.workflow)) taps.set(c.workflow, tapStateEntries(stack.sfn, c.workflow));
    const { path, body } = await c.prepare();
    await clearMailbox();
    meter.reset();
    meter.enabled = true;
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method: 'POST',
      headers: { cookie: `dev_user=${c.requester}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const created = (await res.json()) as { requestId?: string };
    if (res.status !== 201 || !created.requestId) throw new Error(`${c.label}: submit answered ${res.status} ${JSON.stringify(created)}`);
    const requestId = created.requestId;
    const used = new Set<string>();
    for (const decider of c.deciders) {
      const link = await linkFor(requestId, decider, used);
      const decided = await fetch(`${stack.baseUrl}/approvals/${link.approvalId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ s: link.secret, outcome: 'APPROVED' }).toString(),
      });
      if (decided.status !== 200) throw new Error(`${c.label}: decision answered ${decided.status} ${await decided.text()}`);
    }
    await approved(requestId, c.label);
    meter.enabled = false;
    const entries = taps.get(c.workflow)?.(requestId);
    const emails = (await mailbox()).length;
    const steps = c.deciders.length;
    const transitions = entries?.topLevel ?? Number.NaN;
    runs.push({
      workflow: c.workflow,
      label: c.label,
      ...(c.input ? { input: c.input } : {}),
      steps,
      transitions,
      transitionsPerStep: round((transitions - 1) / steps, 1),
      readUnits: round(meter.read, 1),
      writeUnits: round(meter.write, 1),
      writeUnitsPerStep: round(meter.write / steps, 1),
      emails,
    });
  }
  meter.enabled = true;
  return {
    runs,
    notes: [
      'One approved request per row, metered from the submit to the recorded approval (every email sent by then); transitions are the StateEntered events of its execution so far.',
      'Per step: transitions (total − 1, the start) ÷ steps, write units ÷ steps. The exception row stops at its approval: its execution then waits for the notice day and the end date (about 8 more transitions and a few units each, once).',
      'The two departmental-policy rows differ only in the text: its request item and its write-once record carry it, so their writes grow with it (1 WCU a KB), and everything else stays the same.',
    ],
  };

  async function linkFor(requestId: string, to: string, used: Set<string>): Promise<{ approvalId: string; secret: string }> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      for (const e of await mailbox()) {
        const text = e.body.text ?? '';
        if (!e.destination.to.includes(to) || !text.includes(requestId)) continue;
        const match = /\/approvals\/([A-Za-z0-9_-]+)\?s=([A-Za-z0-9_-]+)/.exec(text);
        if (match?.[1] && match[2] && !used.has(match[1])) {
          used.add(match[1]);
          return { approvalId: match[1], secret: match[2] };
        }
      }
      if (Date.now() > deadline) throw new Error(`no approval email to ${to} for ${requestId}`);
      await sleep(5);
    }
  }

  /** Approved and its outcome told: the execution has ended, or (an exception) waits for its notice day. */
  async function approved(requestId: string, label: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const record = await stack.sfn.describe(requestId);
      const lives = stack.sfn.waitingOn(requestId).some((w) => w.state === 'AwaitNotice');
      if (record?.status === 'SUCCEEDED' || lives) {
        const res = await fetch(`${stack.baseUrl}/requests/${requestId}`, { headers: { cookie: 'dev_user=E400', accept: 'application/json' } });
        const status = ((await res.json()) as { request?: { status?: string } }).request?.status;
        if (status !== 'APPROVED') throw new Error(`${label}: ${requestId} ended ${status}`);
        return;
      }
      if (record && record.status !== 'RUNNING') throw new Error(`${label}: ${requestId} execution ${record.status} ${record.error ?? ''}`);
      if (Date.now() > deadline) throw new Error(`${label}: ${requestId} not approved within 15 s`);
      await sleep(5);
    }
  }
}
