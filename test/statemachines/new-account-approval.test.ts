import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { localStateMachineArn } from '../../infra/local/step-functions.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, submit, waitForEmail, waitUntilWaiting } from '../support/harness.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const linkFor = async (to: string, requestId: string, subject = /^Decision needed/) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

const requestJson = async (requestId: string, viewer = 'E400') =>
  (await (await as(stack, viewer).get(`/requests/${requestId}`)).json()) as {
    request: { status: string; outcomeReason?: string; steps: { approverId: string; routedToDesignee: boolean; escalateToId: string | null }[] };
    approvals: { step: number; round: number; approverId: string; decision?: { outcome: string }; remindersSent: number; supersededAt?: string }[];
  };

const outputOf = async (requestId: string) => {
  const result = await stack.sfn.result(requestId);
  return {
    status: result?.status,
    output: JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } },
    error: result?.error,
  };
};

describe('new account approval (the real ASL on the local engine)', () => {
  it('approves through the Department Director then the Communications Director into the registry', async () => {
    const requestId = await submit(stack, 'E102');
    await decide(stack, await linkFor('dbaca@cabq.example', requestId), 'APPROVED');
    await decide(stack, await linkFor('emartinez@cabq.example', requestId), 'APPROVED');
    const { status, output } = await outputOf(requestId);
    expect(status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'APPROVED', accountId: `acct-${requestId.slice(3)}` });

    const account = (await (await as(stack, 'E400').get(`/accounts/acct-${requestId.slice(3)}`)).json()) as {
      account: { sourceRequestId: string };
      grants: { personId: string; authorizedById: string; role: string }[];
    };
    expect(account.account.sourceRequestId).toBe(requestId);
    expect(account.grants.map((g) => [g.personId, g.role, g.authorizedById]).sort()).toEqual([
      ['E102', 'ADMIN', 'E100'],
      ['E103', 'ADMIN', 'E100'],
    ]);
    const mail = (await mailbox(stack)).filter((e) => e.text.includes(requestId));
    expect(mail.filter((e) => e.subject.startsWith('Approved')).map((e) => e.to)).toEqual([['agallegos@cabq.example']]);
    expect(mail.filter((e) => e.to.includes('dti-social-registry@cabq.example'))).toHaveLength(1);
  });

  it.each([
    ['the Department Director', 0],
    ['the Communications Director', 1],
  ])('rejects at %s: the request closes REJECTED and the requester gets the reason', async (_who, rejectAt) => {
    const requestId = await submit(stack, 'E102');
    const approvers = ['dbaca@cabq.example', 'emartinez@cabq.example'];
    for (let step = 0; step < rejectAt; step += 1) await decide(stack, await linkFor(approvers[step] as string, requestId), 'APPROVED');
    const res = await decide(stack, await linkFor(approvers[rejectAt] as string, requestId), 'REJECTED', 'The department already runs an Instagram account.');
    expect(res.status).toBe(200);
    const { status, output } = await outputOf(requestId);
    expect(status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'REJECTED', accountId: null });
    const told = await waitForEmail(
      stack,
      (e) => e.to.includes('agallegos@cabq.example') && e.subject.startsWith('Not approved') && e.text.includes(requestId),
    );
    expect(told.text).toContain('The department already runs an Instagram account.');
    expect((await requestJson(requestId)).request.status).toBe('REJECTED');
    // No registry entry: the account page the approval would have made does not exist.
    expect((await as(stack, 'E400').get(`/accounts/acct-${requestId.slice(3)}`)).status).toBe(404);
    // Nobody after the rejecting step was asked.
    expect((await mailbox(stack)).filter((e) => e.text.includes(requestId) && e.subject.startsWith('Decision needed'))).toHaveLength(rejectAt + 1);
  });

  it('routes APD requests to the APD Director of Communications instead of the Communications Director (S.a)', async () => {
    const requestId = await submit(stack, 'E312', { departmentCode: 'APD', adminIds: ['E312'] });
    await decide(stack, await linkFor('rmontoya@cabq.example', requestId), 'APPROVED');
    await decide(stack, await linkFor('carchuleta@cabq.example', requestId), 'APPROVED');
    expect((await outputOf(requestId)).output.result?.status).toBe('APPROVED');
    expect((await mailbox(stack)).some((e) => e.to.includes('emartinez@cabq.example') && e.text.includes(requestId))).toBe(false);
  });

  it('sends a step to the designee when the requester is its approver, so nobody approves their own request', async () => {
    const requestId = await submit(stack, 'E100', { adminIds: ['E103'] });
    const steps = (await requestJson(requestId)).request.steps;
    expect(steps[0]).toMatchObject({ approverId: 'E101', routedToDesignee: true, escalateToId: null });
    await decide(stack, await linkFor('mchavez@cabq.example', requestId), 'APPROVED');
    await decide(stack, await linkFor('emartinez@cabq.example', requestId), 'APPROVED');
    expect((await outputOf(requestId)).output.result?.status).toBe('APPROVED');
    // The requester (the director) gets the receipt on submit and hears the outcome, 2 emails in
    // all (was 1 before the receipt), but is never asked to decide.
    const toRequester = (await mailbox(stack)).filter((e) => e.to.includes('dbaca@cabq.example') && e.text.includes(requestId));
    expect(toRequester.map((e) => e.subject.split(':')[0])).toEqual(['Received', 'Approved']);
  });

  it('reminds, escalates to the designee, reminds again and expires when nobody answers (local clock, no sleeping)', async () => {
    const requestId = await submit(stack, 'E102');
    const first = await linkFor('dbaca@cabq.example', requestId);

    await waitUntilWaiting(stack, requestId);
    expect(stack.sfn.expireWaits(requestId)).toBe(1);
    const reminder = await linkFor('dbaca@cabq.example', requestId, /^Reminder/);
    expect(reminder).toEqual(first);

    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);
    const escalated = await linkFor('mchavez@cabq.example', requestId, /^Escalated to you/);
    expect(escalated.approvalId).not.toBe(first.approvalId);
    const superseded = await fetch(first.url, { headers: { accept: 'text/html' } });
    expect(superseded.status).toBe(410);
    expect(await superseded.text()).toContain('passed to Marcus Chavez');

    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);
    expect(await linkFor('mchavez@cabq.example', requestId, /^Reminder/)).toEqual(escalated);

    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);
    const { status, output } = await outputOf(requestId);
    expect(status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'EXPIRED', accountId: null });
    await waitForEmail(stack, (e) => e.to.includes('agallegos@cabq.example') && e.subject.startsWith('Expired') && e.text.includes(requestId));
    const expiredPage = await fetch(escalated.url, { headers: { accept: 'text/html' } });
    expect(expiredPage.status).toBe(410);
    expect(await expiredPage.text()).toContain('This request is expired');
    const history = await requestJson(requestId);
    expect(history.approvals.map((a) => [a.step, a.round, a.approverId, a.remindersSent, Boolean(a.supersededAt)])).toEqual([
      [0, 0, 'E100', 1, true],
      [0, 1, 'E101', 1, false],
    ]);
  });

  it('lets the designee decide an escalated step and carries on to the next step', async () => {
    const requestId = await submit(stack, 'E102');
    await linkFor('dbaca@cabq.example', requestId);
    for (let i = 0; i < 2; i += 1) {
      await waitUntilWaiting(stack, requestId);
      stack.sfn.expireWaits(requestId);
    }
    await decide(stack, await linkFor('mchavez@cabq.example', requestId, /^Escalated/), 'APPROVED');
    await decide(stack, await linkFor('emartinez@cabq.example', requestId), 'APPROVED');
    expect((await outputOf(requestId)).output.result?.status).toBe('APPROVED');
    const account = (await (await as(stack, 'E400').get(`/accounts/acct-${requestId.slice(3)}`)).json()) as { grants: { authorizedById: string }[] };
    // Posting authority (B) comes from whoever decided the director's step: here the designee.
    expect(account.grants.map((g) => g.authorizedById)).toEqual(['E101', 'E101']);
  });

  it.each([
    [
      'InvalidInputError',
      {
        requestId: 'not-a-request',
        stepCount: 2,
        maxReminders: 1,
        approval: { Payload: { requestId: 'not-a-request', step: 0, reminder: 0, escalated: false, waitSeconds: 60 } },
      },
    ],
    [
      'RequestNotFoundError',
      {
        requestId: 'na-20260101-0000000000000000',
        stepCount: 2,
        maxReminders: 1,
        approval: { Payload: { requestId: 'na-20260101-0000000000000000', step: 0, reminder: 0, escalated: false, waitSeconds: 60 } },
      },
    ],
  ])('fails the execution with %s on bad input, sending nothing', async (errorName, input) => {
    const name = `bad-${errorName}`;
    const before = (await mailbox(stack)).length;
    await stack.sfn.startExecution(localStateMachineArn('newAccountApproval'), name, JSON.stringify(input));
    const result = await stack.sfn.result(name);
    expect(result).toMatchObject({ status: 'FAILED', error: errorName });
    expect((await mailbox(stack)).length).toBe(before);
  });
});
