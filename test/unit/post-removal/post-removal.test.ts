import { describe, expect, it } from 'vitest';
import { type Approval, type Decision, parseDecision, stepMode } from '#core/approval';
import { approvalEmail, outcomeEmail } from '#approval-chain/emails';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { canViewRequest, describeRequest, requestIdPattern } from '#approval-chain/kinds';
import { approvalPage, decisionRecordedPage, requestPage } from '#approval-chain/pages';
import {
  mayRequestRemoval,
  type PostRemovalRequest,
  parsePostRemovalForm,
  postRemovalRequest,
  removalClosing,
  removalConfirmation,
  removalSteps,
} from '#post-removal/post-removal';
import { planApprovalSteps, type Person } from '#core/policy';
import { type GovernanceRecord, recordIdPattern, recordIntact } from '#core/records';
import { account, approval, department, grant, people, person, roleHolders } from '../fixtures.ts';
import { viewerFor } from '#site/navigation';
import { namedSteps } from '#core/request';
import { postRemovalFormPage } from '#post-removal/form-page';

const attack = '<img src=x onerror=alert(1)>';
const escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';

const validBody = {
  submissionId: 'sub-12345678',
  postRef: 'https://www.instagram.com/p/Cx1yZ2abc/',
  action: 'DELETE',
  reason: 'The post gave the wrong date for the pool opening.',
  content: {
    text: 'Pools open June 1!  \nBring sunscreen.',
    author: 'ABQ Parks',
    publishedAt: '2025-05-20T15:04:00Z',
    mediaLinks: ['https://cdn.example.org/pool.jpg'],
  },
};

const byId = (extra: Person[] = []) => {
  const all = [...extra, ...people];
  return async (id: string) => all.find((p) => p.id === id);
};

const fieldsOf = (f: () => unknown): Record<string, string> => {
  try {
    f();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.fields;
    throw error;
  }
  throw new Error('expected InvalidInputError');
};

describe('the removal form (M.c, H)', () => {
  it('keeps a post\u2019s line breaks the same whether a browser (CRLF) or a JSON client (LF) sent it', () => {
    const browser = parsePostRemovalForm({
      ...validBody,
      reason: 'Duplicate post,\r\nposted twice',
      content: { ...validBody.content, text: 'Line one\r\nLine two\r' },
    });
    const json = parsePostRemovalForm({
      ...validBody,
      reason: 'Duplicate post,\nposted twice',
      content: { ...validBody.content, text: 'Line one\nLine two\n' },
    });
    expect(browser.content.text).toBe('Line one\nLine two\n');
    expect(browser.content).toEqual(json.content);
    expect(browser.reason).toBe(json.reason);
  });

  it('accepts a post URL, the action, the reason and the content as it stands, keeping the text exactly', () => {
    const form = parsePostRemovalForm(validBody);
    expect(form).toEqual({ ...validBody, action: 'DELETE' });
    expect(form.content.text).toBe('Pools open June 1!  \nBring sunscreen.');
  });

  it('accepts the flat fields a browser form sends, media links one per line', () => {
    const form = parsePostRemovalForm({
      postRef: '17912345678901234',
      action: 'UNPUBLISH',
      reason: 'Duplicate of the morning post.',
      mergeTargetRef: '',
      retentionSchedule: '',
      'content.text': 'Hello',
      'content.author': 'ABQ Parks',
      'content.publishedAt': 'May 20 at 9:04 AM',
      'content.mediaLinks': 'https://cdn.example.org/a.jpg\r\nhttps://cdn.example.org/b.jpg\r\n',
    });
    expect(form.postRef).toBe('17912345678901234');
    expect(form.content.mediaLinks).toEqual(['https://cdn.example.org/a.jpg', 'https://cdn.example.org/b.jpg']);
    expect(form.retentionSchedule).toBeUndefined();
    expect(form.mergeTargetRef).toBeUndefined();
  });

  it('requires the post it is merged into for a merge, and not the post itself', () => {
    expect(fieldsOf(() => parsePostRemovalForm({ ...validBody, action: 'MERGE' }))).toEqual({ mergeTargetRef: 'give the post it is merged into' });
    expect(fieldsOf(() => parsePostRemovalForm({ ...validBody, action: 'MERGE', mergeTargetRef: validBody.postRef }))).toEqual({
      mergeTargetRef: 'a post cannot be merged into itself',
    });
    expect(parsePostRemovalForm({ ...validBody, action: 'MERGE', mergeTargetRef: 'https://www.instagram.com/p/Other/' }).mergeTargetRef).toBe(
      'https://www.instagram.com/p/Other/',
    );
  });

  it('drops a merge target typed for anything but a merge', () => {
    expect(parsePostRemovalForm({ ...validBody, mergeTargetRef: 'https://www.instagram.com/p/Other/' })).not.toHaveProperty('mergeTargetRef');
  });

  it('accepts a post with media and no text, but not a post with neither', () => {
    expect(parsePostRemovalForm({ ...validBody, content: { ...validBody.content, text: '' } }).content.text).toBe('');
    expect(fieldsOf(() => parsePostRemovalForm({ ...validBody, content: { ...validBody.content, text: '  ', mediaLinks: [] } }))).toEqual({
      'content.text': 'give the post’s text, or its media links if it has no text',
    });
  });

  it.each([
    ['a post reference with spaces', { postRef: 'my post' }, 'postRef'],
    ['a javascript: post reference', { postRef: 'javascript:alert(1)//x' }, 'postRef'],
    ['an unknown action', { action: 'ARCHIVE' }, 'action'],
    ['a reason under 10 characters', { reason: 'typo' }, 'reason'],
    ['a reason over 2000 characters', { reason: 'x'.repeat(2001) }, 'reason'],
    ['text over 20000 characters', { content: { ...validBody.content, text: 'x'.repeat(20001) } }, 'content.text'],
    ['no author', { content: { ...validBody.content, author: ' ' } }, 'content.author'],
    ['no published time', { content: { ...validBody.content, publishedAt: undefined } }, 'content.publishedAt'],
    ['a media link that is not a web address', { content: { ...validBody.content, mediaLinks: ['javascript:alert(1)'] } }, 'content.mediaLinks'],
    [
      'more than 20 media links',
      { content: { ...validBody.content, mediaLinks: Array.from({ length: 21 }, (_, i) => `https://cdn.example.org/${i}.jpg`) } },
      'content.mediaLinks',
    ],
    ['an unknown retention schedule', { retentionSchedule: 'FOREVER' }, 'retentionSchedule'],
    ['a malformed submission id', { submissionId: 'x' }, 'submissionId'],
  ])('refuses %s on its field', (_what, change, field) => {
    expect(Object.keys(fieldsOf(() => parsePostRemovalForm({ ...validBody, ...change })))).toEqual([field]);
  });

  it('takes a retention schedule from the policy (I)', () => {
    expect(parsePostRemovalForm({ ...validBody, retentionSchedule: 'PRESS_RELEASE' }).retentionSchedule).toBe('PRESS_RELEASE');
  });

  it('never takes the requester or the supervisor from the form', () => {
    const form = parsePostRemovalForm({ ...validBody, requester: { id: 'E400' }, supervisorId: 'E400', steps: [] });
    expect(form).not.toHaveProperty('requester');
    expect(form).not.toHaveProperty('supervisorId');
    expect(form).not.toHaveProperty('steps');
  });
});

describe('who may ask (B)', () => {
  it.each([
    ['an active admin', grant()],
    ['an active poster', grant({ role: 'POSTER', receivesCredential: false })],
  ])('lets %s of the account ask', (_who, held) => {
    expect(mayRequestRemoval({ requester: person('E102'), account: account(), grants: [held] })).toBe(held);
  });

  it.each([
    ['nobody with a grant', []],
    ['a revoked grant', [grant({ status: 'REVOKED' })]],
    ['a grant on another account', [grant({ accountId: 'acct-other' })]],
    ['someone else’s grant', [grant({ personId: 'E103' })]],
  ])('refuses (403) with %s, saying why', (_what, grants) => {
    const refuse = () => mayRequestRemoval({ requester: person('E102'), account: account(), grants });
    expect(refuse).toThrow(ForbiddenError);
    expect(refuse).toThrow(
      /Only someone with posting authority on Instagram @ABQParks can ask to remove one of its posts \(B, M.c\), and Ana Gallegos holds none/,
    );
  });
});

describe('the supervisor chain, from the HR directory', () => {
  it('asks the requester’s supervisor, escalates to the supervisor’s supervisor, then the requester confirms', async () => {
    expect(await removalSteps(person('E102'), byId())).toEqual([
      { role: 'SUPERVISOR', title: 'Supervisor', approverId: 'E101', escalateToId: 'E100', routedToDesignee: false },
      { role: 'REQUESTER', title: 'Removal, confirmed by the requester', approverId: 'E102', escalateToId: null, routedToDesignee: false },
    ]);
  });

  it('does not escalate to the requester when they are their supervisor’s supervisor', async () => {
    const boss: Person = { id: 'T1', name: 'Pat Boss', email: 'pat@cabq.example', departmentCode: 'PRD', supervisorId: 'T2' };
    const lead: Person = { id: 'T2', name: 'Lee Lead', email: 'lee@cabq.example', departmentCode: 'PRD', supervisorId: 'T1' };
    const steps = await removalSteps(boss, byId([boss, lead]));
    expect(steps[0]).toMatchObject({ approverId: 'T2', escalateToId: null });
    expect(steps.filter((s) => s.role !== 'REQUESTER').flatMap((s) => [s.approverId, s.escalateToId])).not.toContain('T1');
  });

  it('has nobody to escalate to when the supervisor has no supervisor, or theirs has separated', async () => {
    expect((await removalSteps(person('E002'), byId()))[0]).toMatchObject({ approverId: 'E001', escalateToId: null });
    expect((await removalSteps(person('E101'), byId()))[0]).toMatchObject({ approverId: 'E100', escalateToId: 'E001' });
    const gone = { ...person('E100'), separatedOn: '2025-01-31' };
    expect((await removalSteps(person('E102'), byId([gone])))[0]).toMatchObject({ approverId: 'E101', escalateToId: null });
  });

  it.each([
    ['no supervisor in the directory', person('E001'), [], /names no supervisor for Ramona Duran/],
    ['themselves as supervisor', { ...person('E102'), supervisorId: 'E102' }, [], /names Ana Gallegos as their own supervisor/],
    ['a supervisor the directory does not know', { ...person('E102'), supervisorId: 'E999' }, [], /\(E999\) is not in the directory/],
    ['a separated supervisor', person('E102'), [{ ...person('E101'), separatedOn: '2025-02-01' }], /Marcus Chavez, separated from the City on 2025-02-01/],
  ])('refuses (409, ask HR) a requester with %s', async (_what, requester, extra, message) => {
    const steps = removalSteps(requester, byId(extra));
    await expect(steps).rejects.toThrow(ConflictError);
    await expect(steps).rejects.toThrow(message);
    await expect(steps).rejects.toThrow(/Ask HR to record your current supervisor/);
  });

  it('leaves the approval chains of the other kinds as they were', () => {
    const steps = planApprovalSteps({ requesterId: 'E102', chain: ['DEPARTMENT_DIRECTOR'], department: department('PRD'), roleHolders });
    expect(steps).toEqual([
      { role: 'DEPARTMENT_DIRECTOR', title: 'Department Director (Parks and Recreation)', approverId: 'E100', escalateToId: 'E101', routedToDesignee: false },
    ]);
  });
});

const now = new Date('2025-05-21T16:00:00.000Z');

async function built(change: Record<string, unknown> = {}, requester = person('E102')) {
  const steps = namedSteps(await removalSteps(requester, byId()), [person('E101'), requester]);
  return postRemovalRequest({
    requester,
    account: account(),
    form: parsePostRemovalForm({ ...validBody, ...change }),
    steps,
    submissionId: 'sub-12345678',
    now,
  });
}

const decision = (by: Person, outcome: Decision['outcome'], at: string, reason?: string): Decision => ({
  outcome,
  reason,
  decidedAt: at,
  decidedById: by.id,
  decidedByName: by.name,
  approvalId: `appr-${by.id}`,
});

/** The approvals of a removal: the supervisor's (round 0, or 1 after escalation) and the requester's confirmation. */
function approvalsOf(request: PostRemovalRequest, o: { supervisor?: Decision; escalatedTo?: Person; confirmed?: Decision }): Approval[] {
  const sup = o.escalatedTo ?? person('E101');
  const list: Approval[] = [
    approval({
      requestId: request.requestId,
      step: 0,
      round: o.escalatedTo ? 1 : 0,
      approverId: sup.id,
      approverName: sup.name,
      approverEmail: sup.email,
      decision: o.supervisor,
    }),
  ];
  if (o.confirmed) {
    list.push(
      approval({
        requestId: request.requestId,
        step: 1,
        approverId: 'E102',
        approverName: 'Ana Gallegos',
        approverEmail: 'agallegos@cabq.example',
        decision: o.confirmed,
      }),
    );
  }
  return list;
}

describe('the request and its preserved record (H)', () => {
  it('makes a pr- request and a write-once record of the content, each naming the other', async () => {
    const { request, record } = await built();
    expect(request.requestId).toMatch(/^pr-20250521-[0-9a-f]{16}$/);
    expect(requestIdPattern.test(request.requestId)).toBe(true);
    expect(request).toMatchObject({
      kind: 'POST_REMOVAL',
      status: 'PENDING',
      requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
      accountId: account().accountId,
      accountLabel: 'Instagram @ABQParks',
      departmentCode: 'PRD',
      departmentName: 'Parks and Recreation',
      postRef: validBody.postRef,
      action: 'DELETE',
      reason: validBody.reason,
      recordId: record.recordId,
    });
    expect(request.steps.map((s) => [s.role, s.approverId, s.approverName, s.escalateToId])).toEqual([
      ['SUPERVISOR', 'E101', 'Marcus Chavez', 'E100'],
      ['REQUESTER', 'E102', 'Ana Gallegos', null],
    ]);
    expect(record.recordId).toMatch(recordIdPattern);
    expect(record).toMatchObject({
      kind: 'PRESERVED_POST',
      accountId: account().accountId,
      accountLabel: 'Instagram @ABQParks',
      recordedById: 'E102',
      recordedAt: now.toISOString(),
      preserved: { requestId: request.requestId, postRef: validBody.postRef, action: 'DELETE', content: validBody.content },
    });
    expect(record.preserved).not.toHaveProperty('mergeTargetRef');
    expect(recordIntact(record)).toBe(true);
    expect(request).not.toHaveProperty('retention');
  });

  it('flags a press release for retention (I) on the record and the request', async () => {
    const { request, record } = await built({ retentionSchedule: 'PRESS_RELEASE' });
    expect(record.retention).toEqual({ schedule: 'PRESS_RELEASE', label: 'Press or news release (I)', retainUntil: '2035-05-19' });
    expect(request.retention).toEqual(record.retention);
  });

  it('keeps the merge target on a merge', async () => {
    const { request, record } = await built({ action: 'MERGE', mergeTargetRef: 'https://www.instagram.com/p/Other/' });
    expect(request.mergeTargetRef).toBe('https://www.instagram.com/p/Other/');
    expect(record.preserved?.mergeTargetRef).toBe('https://www.instagram.com/p/Other/');
  });

  it('lets the supervisor, their supervisor and the requester read it', async () => {
    const { request } = await built();
    for (const id of ['E102', 'E101', 'E100']) {
      expect(canViewRequest({ request, approverIds: [], viewer: { id, departmentCode: 'PRD' }, roleHolders: [] })).toBe(true);
    }
    expect(canViewRequest({ request, approverIds: [], viewer: { id: 'E103', departmentCode: 'PRD' }, roleHolders: [] })).toBe(false);
  });
});

describe('how a removal closes', () => {
  const at = (h: number) => `2025-05-21T${String(h).padStart(2, '0')}:00:00.000Z`;

  it('closes approved with when and by whom it was removed; the requester and the supervisor are told', async () => {
    const { request } = await built();
    const approvals = approvalsOf(request, {
      supervisor: decision(person('E101'), 'APPROVED', at(17)),
      confirmed: decision(person('E102'), 'APPROVED', at(18)),
    });
    expect(removalConfirmation(request, approvals)).toEqual({ removedAt: at(18), removedById: 'E102', removedByName: 'Ana Gallegos' });
    const closing = removalClosing(request, approvals, 'APPROVED');
    expect(closing).toMatchObject({ status: 'APPROVED', removal: { removedAt: at(18), removedById: 'E102', removedByName: 'Ana Gallegos' } });
    expect(closing.tell.map((t) => [t.audience, t.person.email])).toEqual([
      ['requester', 'agallegos@cabq.example'],
      ['supervisor', 'mchavez@cabq.example'],
    ]);
  });

  it('tells the supervisor’s supervisor when the approval came to them by escalation', async () => {
    const { request } = await built();
    const approvals = approvalsOf(request, {
      escalatedTo: person('E100'),
      supervisor: decision(person('E100'), 'APPROVED', at(17)),
      confirmed: decision(person('E102'), 'APPROVED', at(18)),
    });
    expect(removalClosing(request, approvals, 'APPROVED').tell.map((t) => t.person.id)).toEqual(['E102', 'E100']);
  });

  it('refuses to close approved without a confirmation', async () => {
    const { request } = await built();
    const approvals = approvalsOf(request, { supervisor: decision(person('E101'), 'APPROVED', at(17)) });
    expect(() => removalClosing(request, approvals, 'APPROVED')).toThrow(InvalidInputError);
  });

  it('tells only the requester of a rejection, with the reason', async () => {
    const { request } = await built();
    const closing = removalClosing(
      request,
      approvalsOf(request, { supervisor: decision(person('E101'), 'REJECTED', at(17), 'Keep it up.') }),
      'REJECTED',
      'Keep it up.',
    );
    expect(closing).toEqual({ status: 'REJECTED', reason: 'Keep it up.', tell: [{ audience: 'requester', person: request.requester }] });
  });

  it('tells whether an expired removal was never decided or approved and never confirmed removed', async () => {
    const { request } = await built();
    expect(removalClosing(request, approvalsOf(request, {}), 'EXPIRED').reason).toBe('Not decided in time by the supervisor or their supervisor');
    const approved = approvalsOf(request, { supervisor: decision(person('E101'), 'APPROVED', at(17)) });
    expect(removalClosing(request, approved, 'EXPIRED').reason).toBe('Approved by Marcus Chavez, but never confirmed removed');
    const neverConfirmed = outcomeEmail({ request, outcome: 'EXPIRED', requestUrl: 'https://example.test/r', context: { approvals: approved } });
    expect(neverConfirmed.text).toContain('Marcus Chavez approved removing the post, but it was never confirmed removed');
    const undecided = outcomeEmail({ request, outcome: 'EXPIRED', requestUrl: 'https://example.test/r', context: { approvals: [] } });
    expect(undecided.text).toContain('Nobody decided it in time (your supervisor, then their supervisor)');
  });
});

describe('the confirm step', () => {
  it('is the requester’s step only', async () => {
    const { request } = await built();
    expect(request.steps.map(stepMode)).toEqual(['decide', 'confirm']);
  });

  it('accepts only “I have removed it”, even from a hand-made POST', () => {
    expect(parseDecision({ s: 'x', outcome: 'APPROVED' }, 'confirm').outcome).toBe('APPROVED');
    expect(fieldsOf(() => parseDecision({ s: 'x', outcome: 'REJECTED', reason: 'changed my mind' }, 'confirm'))).toEqual({
      outcome: expect.stringMatching(/only confirms/),
    });
    expect(parseDecision({ s: 'x', outcome: 'REJECTED', reason: 'Keep it up.' }).outcome).toBe('REJECTED');
  });
});

describe('removal pages and emails', () => {
  const secret = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t';
  const link = `https://example.test/approvals/AbCdEfGhIjKlMnOpQrStUv?s=${secret}`;
  const dueBy = '2025-05-24T16:00:00.000Z';

  async function hostile() {
    const { request, record } = await built({
      reason: `Wrong date ${attack}`,
      postRef: 'https://www.instagram.com/p/x/?q=<b>x</b>',
      action: 'MERGE',
      mergeTargetRef: 'https://www.instagram.com/p/y/?"onmouseover=1',
      content: { text: `Pools ${attack}`, author: `Parks ${attack}`, publishedAt: `May ${attack}`, mediaLinks: ['https://cdn.example.org/a.jpg?<script>'] },
    });
    return { request: { ...request, requester: { ...request.requester, name: `Ana ${attack}` } }, record };
  }

  it('asks the supervisor to decide with the reason and the content as preserved', async () => {
    const { request, record } = await built();
    const email = approvalEmail({
      request,
      approval: approval({ requestId: request.requestId }),
      link,
      kind: 'initial',
      dueBy,
      context: { record, approvals: [] },
    });
    expect(email.subject).toBe('Decision needed: remove a post from Instagram @ABQParks');
    expect(email.text).toContain('Ana Gallegos asks for your approval as their supervisor (policy M.c, H).');
    expect(email.text).toContain(`Reason: ${validBody.reason}`);
    expect(email.text).toContain('Post text, as it stands: Pools open June 1!  \nBring sunscreen.');
    expect(email.text).toContain('Media links: https://cdn.example.org/pool.jpg');
    expect(email.text).toContain(`Preserved as record (H): ${record.recordId}`);
    expect(email.text).toContain(`Review and decide: ${link}`);
    const escalated = approvalEmail({
      request,
      approval: approval({ requestId: request.requestId, round: 1 }),
      link,
      kind: 'escalation',
      dueBy,
      escalatedFrom: 'Marcus Chavez',
      context: { record, approvals: [] },
    });
    expect(escalated.subject).toBe('Escalated to you: decision needed on the removal of a post from Instagram @ABQParks');
    expect(escalated.text).toContain('Marcus Chavez did not answer in time, so this decision (Supervisor) now comes to you as their supervisor.');
  });

  it('asks the requester, once approved, to remove it now and confirm, with one button and no Reject', async () => {
    const { request, record } = await built();
    const approvals = approvalsOf(request, { supervisor: decision(person('E101'), 'APPROVED', '2025-05-21T17:00:00.000Z') });
    const confirmLink = approval({ requestId: request.requestId, step: 1, approverId: 'E102', approverName: 'Ana Gallegos', secretHash: 'h' });
    const email = approvalEmail({ request, approval: confirmLink, link, kind: 'initial', dueBy, context: { record, approvals } });
    expect(email.subject).toBe('Approved by Marcus Chavez: remove it now, then confirm — Instagram @ABQParks');
    expect(email.text).toContain(`Confirm the removal: ${link}`);
    expect(email.text).toContain('Please confirm by');
    const reminder = approvalEmail({ request, approval: confirmLink, link, kind: 'reminder', dueBy, context: { record, approvals } });
    expect(reminder.subject).toBe('Reminder: remove the post from Instagram @ABQParks, then confirm');

    const page = approvalPage({ request, approval: confirmLink, state: { kind: 'open' }, secret, context: { record, approvals } });
    expect(page).toContain('<h1>Approved by Marcus Chavez: remove it now, then confirm</h1>');
    expect(page.match(/<button/g)).toHaveLength(1);
    expect(page).toContain('<button class="usa-button" type="submit" name="outcome" value="APPROVED" id="outcome">I have removed it</button>');
    expect(page).not.toContain('value="REJECTED"');
    expect(page).not.toContain('Reject</button>');
    expect(page).not.toContain('name="reason"');

    const done = decisionRecordedPage(request, confirmLink, 'APPROVED', { record, approvals });
    expect(done).toContain('Your confirmation (confirmed removed)');
    const supervisorDone = decisionRecordedPage(request, approvals[0] as Approval, 'APPROVED', { record, approvals });
    expect(supervisorDone).toContain('Ana Gallegos will be asked to remove the post now and confirm it.');
  });

  it('offers the supervisor Approve and Reject', async () => {
    const { request, record } = await built();
    const page = approvalPage({ request, approval: approval({ requestId: request.requestId }), state: { kind: 'open' }, secret, context: { record } });
    expect(page).toContain('<h1>Supervisor: removal of a post from Instagram @ABQParks (delete)</h1>');
    expect(page).toContain('<button class="usa-button" type="submit" name="outcome" value="APPROVED">Approve</button>');
    expect(page).toContain('<button class="usa-button usa-button--secondary" type="submit" name="outcome" value="REJECTED">Reject</button>');
  });

  it('escapes every field of the request and of the preserved post on pages and in emails', async () => {
    const { request, record } = await hostile();
    const approvals = approvalsOf(request, { supervisor: decision(person('E101'), 'APPROVED', '2025-05-21T17:00:00.000Z') });
    const context = { record, approvals };
    const outs = [
      approvalEmail({ request, approval: approval({ requestId: request.requestId }), link, kind: 'initial', dueBy, context }).html,
      approvalEmail({ request, approval: approval({ requestId: request.requestId, step: 1 }), link, kind: 'initial', dueBy, context }).html,
      approvalPage({ request, approval: approval({ requestId: request.requestId }), state: { kind: 'open' }, secret, context }),
      approvalPage({ request, approval: approval({ requestId: request.requestId, step: 1 }), state: { kind: 'open' }, secret, context }),
      requestPage(request, approvals, viewerFor(person('E101'), roleHolders), undefined, { record }),
      outcomeEmail({ request, outcome: 'REJECTED', reason: `No ${attack}`, decidedBy: 'Marcus Chavez', requestUrl: 'https://example.test/r' }).html,
    ];
    for (const out of outs) {
      expect(out).not.toContain(attack);
      expect(out).not.toContain('<b>x</b>');
      expect(out).not.toContain('<script>');
      expect(out).not.toContain('"onmouseover');
    }
    expect(outs[0]).toContain(`Pools ${escapedAttack}`);
    expect(outs[0]).toContain(`Parks ${escapedAttack}`);
    expect(outs[0]).toContain(`May ${escapedAttack}`);
    expect(outs[0]).toContain(`Wrong date ${escapedAttack}`);
    expect(outs[0]).toContain('https://cdn.example.org/a.jpg?&lt;script&gt;');
    expect(outs[0]).toContain('?q=&lt;b&gt;x&lt;/b&gt;');
    expect(outs[0]).toContain('/p/y/?&quot;onmouseover=1');
    expect(outs[4]).toContain(`Pools ${escapedAttack}`);
  });

  it('shows on the request page the record, its checksum, whether it is intact, and who removed the post when', async () => {
    const { request, record } = await built({ retentionSchedule: 'PRESS_RELEASE' });
    const approvals = approvalsOf(request, {
      supervisor: decision(person('E101'), 'APPROVED', '2025-05-21T17:00:00.000Z'),
      confirmed: decision(person('E102'), 'APPROVED', '2025-05-21T18:30:00.000Z'),
    });
    const page = requestPage({ ...request, status: 'APPROVED' }, approvals, viewerFor(person('E102'), roleHolders), undefined, { record });
    expect(page).toContain(`<dd>${record.recordId}</dd>`);
    expect(page).toContain(`<code>${record.sha256}</code>`);
    expect(page).toContain('<span class="app-status app-status--approved">intact</span>');
    expect(page).toContain('<dt>Removal</dt><dd><strong>Removed</strong>: confirmed by Ana Gallegos on May 21, 2025, 12:30:00 PM MDT</dd>');
    expect(page).toContain('Press or news release (I): kept until 2035-05-19');
    expect(page).toContain('Removal, confirmed by the requester: <strong>confirmed removed</strong> by Ana Gallegos');
    expect(page).toContain('Supervisor: <strong>approved</strong> by Marcus Chavez');
    expect(page).toContain('Pools open June 1!');

    const tampered: GovernanceRecord = { ...record, preserved: { ...(record.preserved as NonNullable<GovernanceRecord['preserved']>), postRef: 'other' } };
    expect(requestPage(request, approvals, viewerFor(person('E102'), roleHolders), undefined, { record: tampered })).toContain(
      '<span class="app-status app-status--failed">changed</span>',
    );
    expect(requestPage(request, [], viewerFor(person('E102'), roleHolders))).toContain('<span class="app-status app-status--failed">missing</span>');
  });

  it('tells the requester and the supervisor that it is done, with who removed it when', async () => {
    const { request } = await built();
    const approvals = approvalsOf(request, {
      supervisor: decision(person('E101'), 'APPROVED', '2025-05-21T17:00:00.000Z'),
      confirmed: decision(person('E102'), 'APPROVED', '2025-05-21T18:30:00.000Z'),
    });
    const toRequester = outcomeEmail({ request, outcome: 'APPROVED', requestUrl: 'https://example.test/r', context: { approvals } });
    const toSupervisor = outcomeEmail({ request, to: person('E101'), outcome: 'APPROVED', requestUrl: 'https://example.test/r', context: { approvals } });
    expect(toRequester.subject).toBe('Approved: Removal of a post from Instagram @ABQParks');
    expect(toRequester.text).toContain(
      `Ana Gallegos confirmed on May 21, 2025, 12:30:00 PM MDT that the post ${validBody.postRef} is removed from Instagram @ABQParks (delete), as Marcus Chavez approved (M.c).`,
    );
    expect(toSupervisor.text).toMatch(/^Marcus Chavez,\n\nYou approved this removal \(M.c\)\. Ana Gallegos confirmed/);
    expect(toSupervisor.text).not.toContain('on your behalf');
  });

  it('names the request on My requests and in the description', async () => {
    const { request } = await built();
    expect(describeRequest(request).title).toBe('removal of a post from Instagram @ABQParks (delete)');
  });

  it('shows the form with the supervisor who decides, and marks invalid fields keeping what was entered, escaped', () => {
    const form = postRemovalFormPage({
      viewer: viewerFor(person('E102'), roleHolders),
      account: account(),
      supervisor: person('E101'),
      submissionId: 'sub-12345678',
      values: { postRef: attack, action: 'MERGE', 'content.text': `Pools ${attack}`, 'content.mediaLinks': 'https://a.example/1.jpg' },
      errors: { postRef: 'give the post’s web address', 'content.author': 'say who the post shows as its author' },
    });
    expect(form).toContain('<strong>Marcus Chavez</strong>, decides by email');
    expect(form).toContain(`<form class="usa-form usa-form--large" method="post" action="/accounts/${account().accountId}/removals" novalidate>`);
    expect(form).toContain('<input type="hidden" name="submissionId" value="sub-12345678">');
    expect(form).toContain(
      'name="postRef" value="&lt;img src=x onerror=alert(1)&gt;" required aria-invalid="true" aria-describedby="postRef-error postRef-hint"',
    );
    expect(form).toContain('aria-invalid="true" aria-describedby="content.author-error content.author-hint"');
    expect(form).toContain('<span class="usa-error-message" id="content.author-error">say who the post shows as its author</span>');
    // The summary links each error to its field, and the rules are shown before anything is sent.
    expect(form).toContain('<a href="#content.author">say who the post shows as its author</a>');
    expect(form).toContain('<span class="usa-hint" id="reason-hint">Your supervisor reads it before deciding: at least 10 characters.</span>');
    expect(form).not.toContain('style=');
    expect(form).toContain('value="MERGE" checked');
    expect(form).toContain(`Pools ${escapedAttack}</textarea>`);
    expect(form).not.toContain(attack);
    expect(form).toContain('<option value="PRESS_RELEASE" >Press or news release (I)</option>');
    const noSupervisor = postRemovalFormPage({ viewer: viewerFor(person('E100'), roleHolders), account: account(), submissionId: 'sub-12345678' });
    expect(noSupervisor).toContain('The HR directory names no supervisor for you');
  });
});
