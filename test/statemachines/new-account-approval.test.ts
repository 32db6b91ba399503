import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, submit, waitForEmail, waitUntilWaiting } from '../support/harness.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const firstLink = async (to: string, requestId: string, subject = /^Decision needed/) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

describe('new account approval (real ASL on the local engine)', () => {
  it('approves through the Department Director then the Communications Director into the registry', async () => {
    const requestId = await submit(stack, 'E102');
    await decide(stack, await firstLink('dbaca@cabq.example', requestId), 'APPROVED');
    await decide(stack, await firstLink('emartinez@cabq.example', requestId), 'APPROVED');
    const result = await stack.sfn.result(requestId);
    expect(result?.status).toBe('SUCCEEDED');
    expect(JSON.parse(result?.output ?? '{}').result).toEqual({ status: 'APPROVED', accountId: `acct-${requestId.slice(3)}` });

    const registry = (await (await as(stack, 'E400').get('/accounts')).json()) as { accounts: { sourceRequestId: string; grants: { personId: string; authorizedById: string; role: string }[] }[] };
    const account = registry.accounts.find((a) => a.sourceRequestId === requestId);
    expect(account?.grants.map((g) => [g.personId, g.role, g.authorizedById]).sort()).toEqual([
      ['E102', 'ADMIN', 'E100'],
      ['E103', 'ADMIN', 'E100'],
    ]);
    const mail = await mailbox(stack);
    expect(mail.filter((e) => e.text.includes(requestId) && e.subject.startsWith('Approved')).map((e) => e.to)).toEqual([['agallegos@cabq.example']]);
    expect(mail.filter((e) => e.to.includes('dti-social-registry@cabq.example') && e.text.includes(requestId))).toHaveLength(1);
  });
});
