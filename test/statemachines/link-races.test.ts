import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { checkpoints } from '../support/checkpoints.ts';
import {
  approvalLinkIn,
  decide,
  mailbox,
  restartTestStack,
  type SentEmail,
  startTestStack,
  submit,
  waitForEmail,
  waitUntilWaiting,
} from '../support/harness.ts';
import { grantFor, hire, seedAccounts, separate, taskAction, taskLinkFor } from '../support/offboarding.ts';

/**
 * The approval link's race with the wait it resumes, in every order (issue: a decision right after
 * a restart was recorded but sent to a dead token). Each test holds one side at a checkpoint, runs
 * the other, then lets it go: the real ASL on the local engine, DynamoDB Local, the SES emulator.
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

const director = 'dbaca@cabq.example';
const designee = 'mchavez@cabq.example';
const communications = 'emartinez@cabq.example';

const about = (requestId: string, to: string, subject: RegExp) => (e: SentEmail) => e.to.includes(to) && e.text.includes(requestId) && subject.test(e.subject);
const count = async (requestId: string, to: string, subject: RegExp) => (await mailbox(stack)).filter(about(requestId, to, subject)).length;
const firstLink = async (requestId: string, to = director) => approvalLinkIn(await waitForEmail(stack, about(requestId, to, /^Decision needed/)));

async function restart() {
  stack = await restartTestStack(stack);
}

/** A POST whose connection a restart may cut: the handler runs on in-process either way. */
const inFlight = (p: Promise<Response>) => p.then((r) => r.status).catch(() => 'cut' as const);

describe('an approval link racing its wait', () => {
  it('delivers a decision written after a re-arm to the re-armed wait', async () => {
    gates = checkpoints();
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('decideApproval:before-write', (d) => d.approvalId === link.approvalId);
    const decision = decide(stack, link, 'APPROVED');
    await held.reached;
    // The wait runs out while the decision is on its way: the reminder re-arms with a new token.
    stack.advanceClock();
    await waitForEmail(stack, about(requestId, director, /^Reminder/));
    await waitUntilWaiting(stack, requestId);
    held.release();
    expect((await decision).status).toBe(200);
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    expect(await count(requestId, communications, /^Decision needed/)).toBe(1);
  });

  it('returns a decision written before the re-arm from the re-armed step', async () => {
    gates = checkpoints();
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('requestApproval:before-rearm', (d) => d.requestId === requestId);
    stack.advanceClock();
    await held.reached;
    // Decided while the step is between its timeout and its re-arm: the token it holds is dead.
    expect((await decide(stack, link, 'APPROVED')).status).toBe(200);
    held.release();
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    expect(await count(requestId, director, /^Reminder/)).toBe(0);
  });

  it('lets one of two decisions at once win, and moves the run on once', async () => {
    gates = checkpoints();
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const first = gates.holdAt('decideApproval:before-write');
    const second = gates.holdAt('decideApproval:before-write');
    const approve = decide(stack, link, 'APPROVED');
    const reject = decide(stack, link, 'REJECTED', 'not this one, sorry');
    await Promise.all([first.reached, second.reached]);
    first.release();
    second.release();
    const statuses = [(await approve).status, (await reject).status].sort();
    expect(statuses).toEqual([200, 409]);
    if ((await approve).status === 200) {
      await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
      expect(await count(requestId, communications, /^Decision needed/)).toBe(1);
    } else {
      expect(JSON.parse((await stack.sfn.result(requestId))?.output ?? '{}').result.status).toBe('REJECTED');
      expect(await count(requestId, communications, /^Decision needed/)).toBe(0);
    }
  });

  it('delivers a decision held across a restart between its read and its write', async () => {
    gates = checkpoints();
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('decideApproval:before-write', (d) => d.approvalId === link.approvalId);
    const decision = inFlight(decide(stack, link, 'APPROVED'));
    await held.reached;
    await restart();
    await waitUntilWaiting(stack, requestId);
    held.release();
    await decision;
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    expect(await count(requestId, director, /^Decision needed/)).toBe(1);
  });

  it('moves on after a restart between the decision write and its send', async () => {
    gates = checkpoints();
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('decideApproval:before-send', (d) => d.approvalId === link.approvalId);
    const decision = inFlight(decide(stack, link, 'APPROVED'));
    await held.reached;
    await restart();
    // The re-run finds the stored decision before the held send is let go.
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    held.release();
    await decision;
    await waitUntilWaiting(stack, requestId);
    expect(await count(requestId, communications, /^Decision needed/)).toBe(1);
  });

  it('lets the designee of an escalated step decide after a restart, and the run moves on at once', async () => {
    const requestId = await submit(stack, 'E102');
    const directorLink = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    stack.advanceClock(); // reminder
    await waitForEmail(stack, about(requestId, director, /^Reminder/));
    await waitUntilWaiting(stack, requestId);
    stack.advanceClock(); // escalation to the designee
    const designeeLink = approvalLinkIn(await waitForEmail(stack, about(requestId, designee, /^Escalated/)));
    await waitUntilWaiting(stack, requestId);
    await restart();
    await waitUntilWaiting(stack, requestId);
    expect((await decide(stack, designeeLink, 'APPROVED')).status).toBe(200);
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    // The director's link stays superseded, and the restart sent nobody a second email.
    expect((await decide(stack, directorLink, 'APPROVED')).status).toBe(410);
    expect(await count(requestId, designee, /^Escalated/)).toBe(1);
    expect(await count(requestId, director, /^Decision needed/)).toBe(1);
    expect(await count(requestId, 'agallegos@cabq.example', /^Received:/)).toBe(1);
  });
});

describe('an offboarding task link racing the follow-up wait', () => {
  /** One account, administered by a leaver and a co-admin; the co-admin's rotation link, revealed. */
  async function revealedRotation() {
    const [leaver, stayer] = [await hire(stack, 'PRD', 'Leaver'), await hire(stack, 'PRD', 'Stayer')];
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)]);
    const put = await separate(stack, leaver.id);
    const offboardingId = String(put.body.offboardingId);
    const link = await taskLinkFor(stack, stayer.email, account?.handle ?? '');
    await waitUntilWaiting(stack, offboardingId);
    expect((await taskAction(stack, stayer.id, link, { action: 'reveal' })).status).toBe(200);
    return { offboardingId, stayer, link, leaver };
  }
  const finished = async (name: string) =>
    (await mailbox(stack)).filter(
      (e) => e.subject.startsWith('Offboarding complete') && e.subject.includes(name) && e.to.includes('dti-social-registry@cabq.example'),
    ).length;

  it('finishes once when the last task is settled while the follow-up re-arms', async () => {
    gates = checkpoints();
    const { offboardingId, stayer, link, leaver } = await revealedRotation();
    const held = gates.holdAt('trackTasks:before-rearm', (d) => d.offboardingId === offboardingId);
    stack.advanceClock(); // the wait runs out: a reminder, then the follow-up waits again
    await held.reached;
    // Settled while the new token is not yet stored: the link resumes the old, dead token.
    expect((await taskAction(stack, stayer.id, link, { action: 'confirm', setOnPlatform: 'yes' })).status).toBe(200);
    held.release();
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    expect(await finished(leaver.name)).toBe(1);
  });

  it('finishes once when the follow-up re-arms between the settle and the resume', async () => {
    gates = checkpoints();
    const { offboardingId, stayer, link, leaver } = await revealedRotation();
    const held = gates.holdAt('completeTask:before-resume', (d) => d.offboardingId === offboardingId);
    const confirm = taskAction(stack, stayer.id, link, { action: 'confirm', setOnPlatform: 'yes' });
    await held.reached;
    stack.advanceClock(); // the follow-up re-arms, finds nothing open and finishes by itself
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    held.release();
    expect((await confirm).status).toBe(200);
    expect(await finished(leaver.name)).toBe(1);
  });
});
