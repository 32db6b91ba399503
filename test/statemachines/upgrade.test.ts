import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { localStateMachineArn } from '../../infra/local/step-functions.ts';
import { installCheckpointHook } from '#adapters/checkpoints';
import { GovernanceStore } from '#adapters/store';
import { policy } from '#core/policy';
import { approvalExecutionInput, namedSteps } from '#core/request';
import { newAccountKind } from '#new-account/kind';
import { accountRequest, parseNewAccountForm } from '#new-account/new-account';
import {
  approvalLinkIn,
  as,
  decide,
  mailbox,
  restartTestStack,
  startTestStack,
  submit,
  validForm,
  waitForEmail,
  waitUntilWaiting,
} from '../support/harness.ts';

/**
 * The upgrade that gave each workflow its own state machine. Before it, every request ran on one
 * shared `approvalChain`; a deploy must not strand a request that is waiting on a link there. The
 * retired chain stays deployed with its definition unchanged, the functions it invokes still take
 * its input, and the decision link sends its task result to whichever execution armed it. Here a
 * request is stored and started exactly as the release before stored and started it.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A new-account request stored as the release before stored it: listed for, and started on, the shared chain. */
async function storedBeforeTheUpgrade(
  started: boolean,
  submissionId = randomBytes(9).toString('base64url'),
  handle = `@u${randomBytes(4).toString('hex')}`,
): Promise<string> {
  const store = new GovernanceStore();
  const [requester, department, roleHolders, platform, admin1, admin2] = await Promise.all([
    store.person('E102'),
    store.department('PRD'),
    store.roleHolders(),
    store.platform('instagram'),
    store.person('E102'),
    store.person('E103'),
  ]);
  if (!requester || !department || !platform || !admin1 || !admin2) throw new Error('the demo directory is missing Parks people');
  const form = parseNewAccountForm({ ...validForm, proposedHandle: handle, submissionId });
  const steps = newAccountKind.planSteps({ requester, department, roleHolders });
  const approvers = await Promise.all(steps.map((s) => store.person(s.approverId)));
  const request = accountRequest({
    requester,
    department,
    platform,
    admins: [admin1, admin2],
    form,
    steps: namedSteps(steps, approvers),
    submissionId,
    now: new Date(),
  });
  expect(await store.createRequest(request, { ...newAccountKind, stateMachine: 'approvalChain' })).toBe(true);
  if (started) {
    await stack.sfn.startExecution(localStateMachineArn('approvalChain'), request.requestId, JSON.stringify(approvalExecutionInput(request, policy.waits)));
    await store.markStarted(request.requestId);
  }
  return request.requestId;
}

const linkFor = async (to: string, requestId: string) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && e.subject.startsWith('Decision needed') && e.text.includes(requestId)));

describe('upgrade from the shared approval chain', () => {
  it('an execution waiting on a link on the retired chain is decided, restarted and closed there', async () => {
    const requestId = await storedBeforeTheUpgrade(true);
    const director = await linkFor('dbaca@cabq.example', requestId);
    expect((await decide(stack, director, 'APPROVED')).status).toBe(200);

    // The deploy lands while the Communications Director's step waits: the host restarts.
    await waitForEmail(stack, (e) => e.to.includes('emartinez@cabq.example') && e.text.includes(requestId));
    stack = await restartTestStack(stack);
    await waitUntilWaiting(stack, requestId);
    const communications = await linkFor('emartinez@cabq.example', requestId);
    expect((await decide(stack, communications, 'APPROVED')).status).toBe(200);

    const result = await stack.sfn.result(requestId);
    expect(result).toMatchObject({ stateMachine: 'approvalChain', status: 'SUCCEEDED' });
    const request = await new GovernanceStore().request(requestId, true);
    expect(request?.status).toBe('APPROVED');
    expect(await new GovernanceStore().account(String((request as { accountId?: string }).accountId))).toMatchObject({
      status: 'ACTIVE',
      platformId: 'instagram',
    });
    // The retired chain's executions are listed under it, and a new request runs on its own machine.
    expect((await stack.sfn.list('approvalChain')).map((e) => e.name)).toEqual([requestId]);
    const fresh = await submit(stack, 'E102');
    await waitUntilWaiting(stack, fresh);
    expect((await stack.sfn.describe(fresh))?.stateMachine).toBe('newAccountApproval');
    expect((await stack.sfn.list('newAccountApproval', 'RUNNING')).map((e) => e.name)).toEqual([fresh]);
    expect((await stack.sfn.list('approvalChain')).map((e) => e.name)).toEqual([requestId]);
  });

  it('a request stored for the retired chain whose start never happened is started there by the reconciler, once', async () => {
    const requestId = await storedBeforeTheUpgrade(false);
    expect(await stack.sfn.describe(requestId)).toBeUndefined();
    stack = await restartTestStack(stack);
    expect(stack.reconciled).toEqual({ started: 1, existing: 0, cleared: 0, handOvers: 0 });
    await waitUntilWaiting(stack, requestId);
    expect((await stack.sfn.describe(requestId))?.stateMachine).toBe('approvalChain');
    const firsts = (await mailbox(stack)).filter(
      (e) => e.to.includes('dbaca@cabq.example') && e.subject.startsWith('Decision needed') && e.text.includes(requestId),
    );
    expect(firsts).toHaveLength(1);
  });

  it('a resubmission, after the upgrade, of a request started on the retired chain starts nothing on the new machine', async () => {
    const submissionId = randomBytes(9).toString('base64url');
    const handle = `@u${randomBytes(4).toString('hex')}`;
    const requestId = await storedBeforeTheUpgrade(true, submissionId, handle);
    await waitUntilWaiting(stack, requestId);
    const starts: string[] = [];
    installCheckpointHook(async (name, detail) => {
      if (name === 'start:before-start-execution' && detail.requestId === requestId) starts.push(requestId);
    });
    try {
      // The same person sends the same form again (a back button and a resubmit across the deploy).
      const again = await as(stack, 'E102').post('/requests', { ...validForm, proposedHandle: handle, submissionId });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { requestId: string }).requestId).toBe(requestId);
    } finally {
      installCheckpointHook(undefined);
    }
    expect(starts).toEqual([]);
    expect((await stack.sfn.describe(requestId))?.stateMachine).toBe('approvalChain');
    expect((await stack.sfn.list('newAccountApproval')).map((e) => e.name)).not.toContain(requestId);
  });

  it('the local host refuses a second execution of one name on another machine, where AWS would run both', async () => {
    const requestId = await storedBeforeTheUpgrade(true);
    const input = (await stack.sfn.describe(requestId))?.input as string;
    await expect(stack.sfn.startExecution(localStateMachineArn('newAccountApproval'), requestId, input)).rejects.toMatchObject({
      name: 'LocalExecutionNameTaken',
    });
  });
});
