import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack.ts';
import { validForm } from './forms.ts';

/** Starts the real local stack for one test file: shared DynamoDB Local, its own table and mailbox. */
export async function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `t-${randomBytes(6).toString('hex')}`,
    dataDir: mkdtempSync(join(tmpdir(), 'smg-')),
    logLevel: 'ERROR',
    ...options,
  });
}

/**
 * The stack stopped and started again as `npm start` after Ctrl-C: same table, ports and data
 * folder (link and vault keys). The SDK clients in this process keep their endpoints, as they
 * would not in a new process, so every port stays the same.
 */
export async function restartTestStack(stack: LocalStack, options: LocalStackOptions = {}): Promise<LocalStack> {
  const port = (url: string) => Number(new URL(url).port);
  const ports = { http: port(stack.baseUrl), ses: port(stack.mailboxUrl), sfn: port(stack.sfnEndpoint), secrets: port(stack.secretsEndpoint) };
  const { tableName, dataDir } = stack;
  await stack.stop();
  return startTestStack({ tableName, ports, dataDir, ...options });
}

export interface SentEmail {
  messageId: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  at: number;
}

/** The SES emulator's store: every email the workflows sent. */
export async function mailbox(stack: LocalStack): Promise<SentEmail[]> {
  const res = await fetch(`${stack.mailboxUrl}/store`);
  const body = (await res.json()) as {
    emails: { messageId: string; destination: { to: string[] }; subject: string; body: { html?: string; text?: string }; at: number }[];
  };
  return body.emails.map((e) => ({
    messageId: e.messageId,
    to: e.destination.to,
    subject: e.subject,
    html: e.body.html ?? '',
    text: e.body.text ?? '',
    at: e.at,
  }));
}

/** Polls the mailbox until an email matching `where` arrives (the workflow runs in the background). */
export async function waitForEmail(stack: LocalStack, where: (e: SentEmail) => boolean, timeoutMs = 15_000): Promise<SentEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await mailbox(stack)).find(where);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error('expected email did not arrive');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function approvalLinkIn(email: SentEmail): { url: string; approvalId: string; secret: string } {
  const match = /(https?:\/\/\S+\/approvals\/([A-Za-z0-9_-]+)\?s=([A-Za-z0-9_-]+))/.exec(email.text);
  if (!match?.[1] || !match[2] || !match[3]) throw new Error(`no approval link in "${email.subject}"`);
  return { url: match[1], approvalId: match[2], secret: match[3] };
}

/** Waits until the execution is parked on a callback (an approver's inbox), or finished. */
export async function waitUntilWaiting(stack: LocalStack, execution: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stack.sfn.waitingOn(execution).length === 0) {
    if (Date.now() > deadline) throw new Error(`${execution} is not waiting on a decision`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { validForm };

/** A JSON client signed in through the development sign-in cookie. */
export function as(stack: LocalStack, personId: string) {
  const headers = { cookie: `dev_user=${personId}`, accept: 'application/json' };
  return {
    get: (path: string) => fetch(`${stack.baseUrl}${path}`, { headers, redirect: 'manual' }),
    post: (path: string, body: unknown) =>
      fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
      }),
  };
}

/** A browser signed in through the development sign-in cookie: pages as HTML, forms posted url-encoded, redirects not followed. */
export function browserAs(stack: LocalStack, personId: string) {
  const headers = { cookie: `dev_user=${personId}`, accept: 'text/html' };
  return {
    get: (path: string) => fetch(`${stack.baseUrl}${path}`, { headers, redirect: 'manual' }),
    post: (path: string, fields: Record<string, string>) =>
      fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      }),
  };
}

/** Submits a new-account request as `personId` and returns its id. */
export async function submit(stack: LocalStack, personId: string, form: Record<string, unknown> = {}): Promise<string> {
  const res = await as(stack, personId).post('/requests', {
    ...validForm,
    proposedHandle: `@t${randomBytes(4).toString('hex')}`,
    submissionId: randomBytes(9).toString('base64url'),
    ...form,
  });
  const body = (await res.json()) as { requestId?: string };
  if (res.status !== 201 || !body.requestId) throw new Error(`submit failed: ${res.status} ${JSON.stringify(body)}`);
  return body.requestId;
}

/** Decides through the link, as the approver's browser would post the form. */
export function decide(stack: LocalStack, link: { approvalId: string; secret: string }, outcome: 'APPROVED' | 'REJECTED', reason?: string) {
  return fetch(`${stack.baseUrl}/approvals/${link.approvalId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ s: link.secret, outcome, ...(reason ? { reason } : {}) }).toString(),
  });
}

/** Approves each step of a request from its emails, in order, and returns what the execution recorded. */
export async function approveEveryStep(stack: LocalStack, requestId: string, steps: number): Promise<{ status: string; accountId: string | null }> {
  const decided = new Set<string>();
  for (let step = 0; step < steps; step += 1) {
    const email = await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId) && !decided.has(e.messageId));
    decided.add(email.messageId);
    const res = await decide(stack, approvalLinkIn(email), 'APPROVED');
    if (res.status !== 200) throw new Error(`approving step ${step} of ${requestId} failed: ${res.status}`);
  }
  const result = await stack.sfn.result(requestId);
  return (JSON.parse(result?.output ?? '{}') as { result: { status: string; accountId: string | null } }).result;
}

/** A new account in the registry (a new-account request approved by both steps), with its admins' grants. */
export async function approvedAccount(stack: LocalStack, requesterId = 'E102', form: Record<string, unknown> = {}): Promise<string> {
  const requestId = await submit(stack, requesterId, form);
  const { status, accountId } = await approveEveryStep(stack, requestId, 2);
  if (status !== 'APPROVED' || !accountId) throw new Error(`${requestId} ended ${status}`);
  return accountId;
}

/** Asks for posting authority on an account as `personId` (JSON), with a fresh one-time submission id. */
export function askPostingAuthority(stack: LocalStack, personId: string, accountId: string, body: Record<string, unknown>) {
  return as(stack, personId).post(`/accounts/${accountId}/authority`, { submissionId: randomBytes(9).toString('base64url'), ...body });
}

/**
 * Nobody answers a one-step approval: each wait is ended by the local clock (no sleeping), and the
 * chain goes reminder → escalation to the designee (a new link; the first one stops working) →
 * reminder → expiry. Checks each email on the way and answers the two links.
 */
export async function walkToExpiry(stack: LocalStack, requestId: string, people: { approver: string; designee: string }) {
  const link = async (to: string, subject: RegExp) =>
    approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));
  const first = await link(people.approver, /^Decision needed/);
  const expire = async () => {
    await waitUntilWaiting(stack, requestId);
    if (stack.sfn.expireWaits(requestId) !== 1) throw new Error(`${requestId} was not waiting on exactly one link`);
  };
  await expire();
  if ((await link(people.approver, /^Reminder/)).approvalId !== first.approvalId) throw new Error('the reminder carries another link');
  await expire();
  const escalated = await link(people.designee, /^Escalated to you/);
  if (escalated.approvalId === first.approvalId) throw new Error('the escalation reused the first link');
  await expire();
  if ((await link(people.designee, /^Reminder/)).approvalId !== escalated.approvalId) throw new Error('the designee’s reminder carries another link');
  await expire();
  return { first, escalated };
}
