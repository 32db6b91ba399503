import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';

// The stores meter read units only when this is set before they load (adapters/dynamo-client.ts).
process.env.METER_DYNAMODB = '1';
const { approvalLinkIn, as, decide, startTestStack, submit, waitForEmail, waitUntilWaiting } = await import('../support/harness.ts');
const { capacityMeter } = await import('../../functions/adapters/dynamo-client.ts');

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface MyWorkJson {
  approvals: { approvalId: string; requestId: string; stepTitle: string; requester: string }[];
  tasks: unknown[];
  requests: { requestId: string; status: string }[];
}

const myWork = async (personId: string) => {
  const res = await as(stack, personId).get('/');
  expect(res.status).toBe(200);
  return (await res.json()) as MyWorkJson;
};

/** The read units one GET of My work consumes. */
async function readUnitsOfMyWork(personId: string): Promise<number> {
  capacityMeter.reset();
  await myWork(personId);
  return capacityMeter.read;
}

const decisionEmailFor = (requestId: string) => waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId));

describe('My work', () => {
  it('lists the director’s pending decision, opens the emailed link’s page, and drops it the moment it is decided', async () => {
    const requestId = await submit(stack, 'E102');
    const link = approvalLinkIn(await decisionEmailFor(requestId));
    await waitUntilWaiting(stack, requestId);

    const before = await myWork('E100');
    expect(before.approvals.map((a) => [a.requestId, a.approvalId, a.requester])).toEqual([[requestId, link.approvalId, 'Ana Gallegos']]);
    expect(before.approvals[0]?.stepTitle).toBe('Department Director (Parks and Recreation)');

    // The item's link leads to the page the email leads to, with the same secret.
    const follow = await as(stack, 'E100').get(`/my-work/approvals/${link.approvalId}`);
    expect(follow.status).toBe(303);
    expect(follow.headers.get('location')).toBe(`/approvals/${link.approvalId}?s=${link.secret}`);
    // Nobody else can have it rebuilt for them.
    expect((await as(stack, 'E101').get(`/my-work/approvals/${link.approvalId}`)).status).toBe(403);

    expect((await decide(stack, link, 'APPROVED')).status).toBe(200);
    expect((await myWork('E100')).approvals).toEqual([]);
  });

  it('shows the requester where their request stands', async () => {
    const requestId = await submit(stack, 'E103');
    await decisionEmailFor(requestId);
    const res = await fetch(`${stack.baseUrl}/`, { headers: { cookie: 'dev_user=E103', accept: 'text/html' } });
    const page = await res.text();
    expect(page).toContain(`href="/requests/${requestId}"`);
    expect(page).toMatch(/Step 1 of 2\b[^<]*with Dolores Baca since Dec \d+, 2026/);
    expect((await myWork('E103')).requests.map((r) => [r.requestId, r.status])).toEqual([[requestId, 'PENDING']]);
  });

  it('reads only the person’s own items: other people’s work does not change what it costs', async () => {
    const mine = await submit(stack, 'E102');
    await decisionEmailFor(mine);
    const first = await readUnitsOfMyWork('E100');
    expect(first).toBeGreaterThan(0);
    const listed = (await myWork('E100')).approvals.map((a) => a.requestId);
    expect(listed).toContain(mine);

    // Fifteen requests of another department, each waiting for its own director (E200).
    const theirs = await Promise.all(Array.from({ length: 15 }, () => submit(stack, 'E202', { departmentCode: 'LIB', adminIds: ['E201', 'E202'] })));
    for (const id of theirs) await decisionEmailFor(id);
    expect((await myWork('E200')).approvals).toHaveLength(15);

    expect(await readUnitsOfMyWork('E100')).toBe(first);
    expect((await myWork('E100')).approvals.map((a) => a.requestId)).toEqual(listed);
  });
});
