import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, submit, waitForEmail } from '../support/harness.ts';
import { seedAccounts } from '../support/offboarding.ts';
import { departmentPage, openDepartmentReview, reviewEmailTo } from '../support/reviews.ts';

/**
 * Nothing routes to someone who cannot act (issue 13): a directory change that takes a post from
 * someone moves the approvals waiting for them at once, and a link is never made for someone who
 * has left the post. The real HR consumer, the real ASL, DynamoDB Local and the SES emulator.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

let clock = Date.parse('2026-12-01T08:00:00-07:00');
/** Each change recorded a minute after the last, as HR's system would stamp them. */
const effectiveAt = () => {
  clock += 60_000;
  return new Date(clock).toISOString();
};
const hr = (detailType: string, detail: Record<string, unknown>) =>
  stack.hr.put({ source: 'cabq.hr', 'detail-type': detailType, detail: { effectiveAt: effectiveAt(), sequence: 1, ...detail } });

const linkFor = async (to: string, requestId: string, subject: RegExp) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

type RequestJson = {
  request: { status: string; steps: { approverId: string; approverName: string; escalateToId: string | null }[] };
  approvals: { step: number; round: number; approverId: string; supersededAt?: string; supersededByName?: string; supersededReason?: string }[];
};
const requestJson = async (requestId: string) => (await (await as(stack, 'E400').get(`/requests/${requestId}`)).json()) as RequestJson;

const linkPage = (link: { approvalId: string; secret: string }) =>
  fetch(`${stack.baseUrl}/approvals/${link.approvalId}?s=${encodeURIComponent(link.secret)}`, { headers: { accept: 'text/html' } });

describe('directory changes move open approvals (the real HR consumer and ASL)', () => {
  it('a role holder changes mid-approval: the waiting step moves to the new Communications Director, who decides it', async () => {
    const requestId = await submit(stack, 'E102');
    await decide(stack, await linkFor('dbaca@cabq.example', requestId, /^Decision needed/), 'APPROVED');
    const old = await linkFor('emartinez@cabq.example', requestId, /^Decision needed/);

    const put = await hr('Role Assigned', { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E501', designeeId: 'E502' });
    expect(put).toMatchObject({ status: 202, body: { result: 'applied' } });

    // At once: the new holder has a link of their own, saying why it came to them.
    const moved = await waitForEmail(
      stack,
      (e) => e.to.includes('pherrera@cabq.example') && e.subject.startsWith('Moved to you') && e.text.includes(requestId),
      2_000,
    );
    expect(moved.text).toContain('was waiting for Elena Martinez');
    expect(moved.text).toContain('Communications Director: a new holder or designee');
    const { request, approvals } = await requestJson(requestId);
    expect(request.steps[1]).toMatchObject({ approverId: 'E501', approverName: 'Paul Herrera', escalateToId: 'E502' });
    expect(approvals.filter((a) => a.step === 1).map((a) => [a.round, a.approverId, a.supersededByName ?? null])).toEqual([
      [0, 'E501', null],
      [0, 'E500', 'Paul Herrera'],
    ]);

    // The old link says who has the step now and why, and decides nothing.
    const page = await (await linkPage(old)).text();
    expect(page).toContain('passed to Paul Herrera');
    expect(page).toContain('a new holder or designee');
    expect((await decide(stack, old, 'APPROVED')).status).toBe(410);

    expect((await decide(stack, approvalLinkIn(moved), 'APPROVED')).status).toBe(200);
    const result = await stack.sfn.result(requestId);
    expect(result?.status).toBe('SUCCEEDED');
    expect(JSON.parse(result?.output ?? '{}').result).toEqual({ status: 'APPROVED', accountId: `acct-${requestId.slice(3)}` });
    const history = await (await fetch(`${stack.baseUrl}/requests/${requestId}`, { headers: { cookie: 'dev_user=E400', accept: 'text/html' } })).text();
    expect(history).toContain('moved from Elena Martinez to Paul Herrera');
  });

  it('a director separates while two approvals wait for them: both move to the designee at once, with history', async () => {
    const first = await submit(stack, 'E102');
    const second = await submit(stack, 'E103');
    const oldLinks = [await linkFor('dbaca@cabq.example', first, /^Decision needed/), await linkFor('dbaca@cabq.example', second, /^Decision needed/)];

    const put = await hr('Employee Updated', {
      employeeId: 'E100',
      name: 'Dolores Baca',
      email: 'dbaca@cabq.example',
      departmentCode: 'PRD',
      title: 'Director, Parks and Recreation',
      supervisorId: 'E001',
      status: 'SEPARATED',
      separationDate: '2026-12-01',
    });
    expect(put).toMatchObject({ status: 202, body: { result: 'applied' } });

    for (const requestId of [first, second]) {
      const moved = await waitForEmail(
        stack,
        (e) => e.to.includes('mchavez@cabq.example') && e.subject.startsWith('Moved to you') && e.text.includes(requestId),
        2_000,
      );
      expect(moved.text).toContain('Dolores Baca has separated from the City');
      const { request, approvals } = await requestJson(requestId);
      // The designee decides, with nobody left in the department to escalate to.
      expect(request.steps[0]).toMatchObject({ approverId: 'E101', approverName: 'Marcus Chavez', escalateToId: null });
      const step0 = approvals.filter((a) => a.step === 0);
      expect(step0.map((a) => [a.approverId, a.supersededByName ?? null])).toEqual([
        ['E101', null],
        ['E100', 'Marcus Chavez'],
      ]);
    }
    for (const old of oldLinks) expect(await (await linkPage(old)).text()).toContain('Dolores Baca has separated from the City');
    // Nothing went to the person who left after the hand-over, and each new approver got one email per request.
    const mail = (await mailbox(stack)).filter((e) => e.text.includes(first) || e.text.includes(second));
    expect(mail.filter((e) => e.to.includes('mchavez@cabq.example')).map((e) => e.subject.split(':')[0])).toEqual(['Moved to you', 'Moved to you']);

    // A new request is never planned for her: its first link goes to the designee.
    const third = await submit(stack, 'E102');
    const link = await waitForEmail(stack, (e) => e.to.includes('mchavez@cabq.example') && e.subject.startsWith('Decision needed') && e.text.includes(third));
    expect(link.text).toContain('It comes to you because Dolores Baca, Department Director (Parks and Recreation), separated from the City on 2026-12-01');
    expect((await mailbox(stack)).filter((e) => e.to.includes('dbaca@cabq.example') && e.text.includes(third))).toEqual([]);
  });

  it('a director separates during the annual review: their department’s page goes on to the designee at once', async () => {
    await seedAccounts(stack, 1, [{ personId: 'E312', role: 'ADMIN' }], { code: 'APD', name: 'Albuquerque Police Department' });
    const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date()));
    const reviewId = await openDepartmentReview(stack, year, 'APD');
    await reviewEmailTo(stack, 'rmontoya@cabq.example', reviewId);
    const put = await hr('Employee Updated', {
      employeeId: 'E300',
      name: 'Ray Montoya',
      email: 'rmontoya@cabq.example',
      departmentCode: 'APD',
      status: 'SEPARATED',
    });
    expect(put.status).toBe(202);
    await reviewEmailTo(stack, 'ltrujillo@cabq.example', reviewId, /annual review/);
    expect((await departmentPage(stack, 'E301', reviewId, 'APD')).reviewer).toBe('Lena Trujillo');
  });

  it('a department nobody can decide for routes to the Communications Director, and DTI is told', async () => {
    // The Library's director and designee both left; HR has not named anyone yet.
    for (const [id, name, email] of [
      ['E200', 'Grace Lucero', 'glucero@cabq.example'],
      ['E201', 'Henry Otero', 'hotero@cabq.example'],
    ] as const) {
      const put = await hr('Employee Updated', { employeeId: id, name, email, departmentCode: 'LIB', status: 'SEPARATED', separationDate: '2026-12-01' });
      expect(put.status).toBe(202);
    }
    const requestId = await submit(stack, 'E202', { departmentCode: 'LIB', adminIds: ['E202'] });
    // The Communications Director is Paul Herrera since the first test; his designee is Rosa Apodaca.
    const link = await waitForEmail(
      stack,
      (e) => e.to.includes('pherrera@cabq.example') && e.subject.startsWith('Decision needed') && e.text.includes(requestId),
    );
    expect(link.text).toContain('so the Communications Director decides in their place');
    const dti = await waitForEmail(
      stack,
      (e) => e.to.includes('dti-social-registry@cabq.example') && e.subject.startsWith('Routed to the Communications Director') && e.text.includes(requestId),
    );
    expect(dti.text).toContain('Grace Lucero, Department Director (Albuquerque Public Library), separated from the City on 2026-12-01');
    const { request } = await requestJson(requestId);
    expect(request.steps.map((s) => s.approverId)).toEqual(['E501', 'E501']);
  });
});
