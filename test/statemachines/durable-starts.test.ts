import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GovernanceRequest } from '#approval-chain/kinds';
import { newAccountKind } from '#new-account/kind';
import { GovernanceStore } from '../../functions/adapters/store.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { checkpoints } from '../support/checkpoints.ts';
import { as, mailbox, restartTestStack, startTestStack, validForm, waitForEmail } from '../support/harness.ts';

/**
 * Durable starts: a stored request is turned into its execution whatever stops the handler that
 * stored it (a crash, a Lambda timeout, a throttled StartExecution), by the reconciler that runs at
 * start-up and on the catalogue's schedule, in both hosts.
 */
let stack: LocalStack;
let gates: ReturnType<typeof checkpoints>;

beforeAll(async () => {
  stack = await startTestStack();
});
afterEach(() => gates?.uninstall());
afterAll(async () => {
  await stack?.stop();
});

const firstEmails = async (requestId: string) =>
  (await mailbox(stack)).filter((e) => e.to.includes('dbaca@cabq.example') && e.subject.startsWith('Decision needed') && e.text.includes(requestId)).length;

const form = () => ({ ...validForm, proposedHandle: `@d${randomBytes(4).toString('hex')}`, submissionId: randomBytes(9).toString('base64url') });

describe('durable starts', () => {
  it('starts at the next start-up a request stored by a handler that never started it', async () => {
    gates = checkpoints();
    const held = gates.holdAt('start:before-start-execution');
    const submitted = as(stack, 'E102')
      .post('/requests', form())
      .catch(() => undefined);
    await held.reached;
    const [pending] = (await new GovernanceStore().pendingStarts('newAccountApproval', new Date(Date.now() + 1000).toISOString())).requestIds;
    expect(pending).toMatch(/^na-/);
    const requestId = pending as string;
    expect(await stack.sfn.describe(requestId)).toBeUndefined();

    stack = await restartTestStack(stack);
    expect(stack.reconciled).toEqual({ started: 1, existing: 0, cleared: 0, handOvers: 0 });
    await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId));

    // The held handler goes on after all: its start finds the execution, and nobody is emailed twice.
    held.release();
    await submitted;
    await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId));
    expect((await stack.sfn.describe(requestId))?.status).toBe('RUNNING');
    expect((await new GovernanceStore().pendingStarts('newAccountApproval', new Date(Date.now() + 1000).toISOString())).requestIds).not.toContain(requestId);
    expect(await firstEmails(requestId)).toBe(1);
    // The requester's receipt too: sent by the run the restart started, not again by the held handler's.
    const receipts = (await mailbox(stack)).filter((e) => e.subject.startsWith('Received:') && e.text.includes(requestId));
    expect(receipts.map((e) => e.to)).toEqual([['agallegos@cabq.example']]);
  });

  it('starts on its schedule a request stored more than a minute ago without an execution', async () => {
    const store = new GovernanceStore();
    const res = await as(stack, 'E102').post('/requests', form());
    const { requestId } = (await res.json()) as { requestId: string };
    const stored = (await store.request(requestId, true)) as GovernanceRequest;
    // Stored two minutes ago by a handler that died before starting it (written as that handler would).
    const orphan: GovernanceRequest = { ...stored, requestId: `${requestId.slice(0, -4)}ffff`, createdAt: new Date(Date.now() - 120_000).toISOString() };
    expect(await store.createRequest(orphan, newAccountKind)).toBe(true);
    const fresh: GovernanceRequest = { ...stored, requestId: `${requestId.slice(0, -4)}eeee`, createdAt: new Date().toISOString() };
    expect(await store.createRequest(fresh, newAccountKind)).toBe(true);

    expect(await stack.runSchedule('reconcileStarts')).toEqual({ started: 1, existing: 0, cleared: 0, handOvers: 0 });
    await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(orphan.requestId));
    // The one stored seconds ago is left to its own handler until it is a minute old.
    expect(await stack.sfn.describe(fresh.requestId)).toBeUndefined();
    expect(await stack.runSchedule('reconcileStarts')).toEqual({ started: 0, existing: 0, cleared: 0, handOvers: 0 });
  });

  it('clears the marker of a request closed before the reconciler reached it, and starts nothing', async () => {
    const store = new GovernanceStore();
    const res = await as(stack, 'E102').post('/requests', form());
    const { requestId } = (await res.json()) as { requestId: string };
    const stored = (await store.request(requestId, true)) as GovernanceRequest;
    const closed: GovernanceRequest = { ...stored, requestId: `${requestId.slice(0, -4)}dddd`, createdAt: new Date(Date.now() - 120_000).toISOString() };
    expect(await store.createRequest(closed, newAccountKind)).toBe(true);
    expect(await store.closeRequest(closed.requestId, 'REJECTED', new Date().toISOString(), 'withdrawn')).toBe(true);
    expect(await stack.runSchedule('reconcileStarts')).toEqual({ started: 0, existing: 0, cleared: 1, handOvers: 0 });
    expect(await stack.sfn.describe(closed.requestId)).toBeUndefined();
  });
});
