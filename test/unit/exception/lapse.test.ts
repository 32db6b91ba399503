import { describe, expect, it } from 'vitest';
import { InvalidInputError, RequestNotFoundError } from '#core/errors';
import type { Standing } from '#core/standing';
import type { ExceptionRequest } from '#exception/exception';
import { actStage, type LapsePorts, planStage } from '#exception/lapse';

/** An approved exception (F.b for @ABQParks) lapsing on 2025-06-30, told on 2025-06-16. */
const request: ExceptionRequest = {
  requestId: 'ex-20250301-0123456789abcdef',
  kind: 'EXCEPTION',
  status: 'APPROVED',
  requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
  accountId: 'acct-20250301-0123456789abcdef',
  platformId: 'instagram',
  platformName: 'Instagram',
  handle: '@ABQParks',
  departmentCode: 'PRD',
  departmentName: 'Parks and Recreation',
  standard: 'b',
  reason: 'The summer camp page shares partner posts.',
  startsOn: '2025-03-01',
  endsOn: '2025-06-30',
  steps: [],
  createdAt: '2025-03-01T17:00:00.000Z',
};

/** In-memory ports: the standing, the emails sent by idempotency key (a key is sent once, as the mail ledger does). */
function fakePorts(at: string, options: { standing?: Standing['status']; coordinatorId?: string; request?: Partial<ExceptionRequest> } = {}) {
  const sent = new Map<string, { to: string; subject: string }>();
  const lapses: string[] = [];
  let status: Standing['status'] | undefined = options.standing ?? 'ACTIVE';
  let lapsedAt: string | undefined;
  const ports: LapsePorts = {
    request: async (id) => (id === request.requestId ? { ...request, ...options.request } : undefined),
    standing: async () => (status ? ({ status, lapsedAt } as Standing) : undefined),
    lapse: async (_account, _id, when) => {
      lapses.push(when);
      if (status !== 'ACTIVE') return false;
      status = 'LAPSED';
      lapsedAt = when;
      return true;
    },
    coordinator: async () => (options.coordinatorId === 'E102' ? request.requester : { id: 'E502', name: 'Rosa Apodaca', email: 'rapodaca@cabq.example' }),
    sent: async (_id, key) => sent.has(key),
    send: async (_id, key, to, email) => {
      if (!sent.has(key)) sent.set(key, { to, subject: email.subject });
    },
    now: () => new Date(at),
    baseUrl: 'https://social.cabq.example/',
  };
  return { ports, sent, lapses };
}

describe('an approved exception’s life (lapse.ts)', () => {
  it('waits before the notice day and acts on it', async () => {
    expect(await planStage(fakePorts('2025-06-15T06:00:00.000Z').ports, request.requestId, 'NOTICE')).toEqual({ next: 'WAIT', waitSeconds: 86400 });
    expect(await planStage(fakePorts('2025-06-16T06:00:00.000Z').ports, request.requestId, 'NOTICE')).toEqual({ next: 'ACT', waitSeconds: 1 });
  });

  it('tells the requester and the Coordinator the exception is ending, under one key each', async () => {
    const { ports, sent } = fakePorts('2025-06-16T06:00:00.000Z');
    expect(await actStage(ports, request.requestId, 'NOTICE')).toEqual({ status: 'TOLD' });
    expect(Object.fromEntries(sent)).toEqual({
      'exception-ending-requester': {
        to: 'agallegos@cabq.example',
        subject: 'Ending Jun 30, 2025: exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks',
      },
      'exception-ending-coordinator': {
        to: 'rapodaca@cabq.example',
        subject: 'Ending Jun 30, 2025: exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks',
      },
    });
    // Told: planning the notice again (a re-run after a restart) skips it.
    expect(await planStage(ports, request.requestId, 'NOTICE')).toEqual({ next: 'SKIP', waitSeconds: 1 });
  });

  it('sends one notice when the requester is the Coordinator, and knows it was sent', async () => {
    const { ports, sent } = fakePorts('2025-06-16T06:00:00.000Z', { coordinatorId: 'E102' });
    await actStage(ports, request.requestId, 'NOTICE');
    expect([...sent.keys()]).toEqual(['exception-ending-requester']);
    expect(await planStage(ports, request.requestId, 'NOTICE')).toEqual({ next: 'SKIP', waitSeconds: 1 });
  });

  it('lapses the standing at the end date and tells both, and a second run changes and sends nothing more', async () => {
    const { ports, sent, lapses } = fakePorts('2025-06-30T06:00:00.000Z');
    expect(await actStage(ports, request.requestId, 'LAPSE')).toEqual({ status: 'LAPSED' });
    expect(await actStage(ports, request.requestId, 'LAPSE')).toEqual({ status: 'LAPSED' });
    expect(lapses).toEqual(['2025-06-30T06:00:00.000Z']);
    expect([...sent.entries()].map(([key, e]) => [key, e.to, e.subject])).toEqual([
      ['exception-lapsed-requester', 'agallegos@cabq.example', 'Lapsed: exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks'],
      ['exception-lapsed-coordinator', 'rapodaca@cabq.example', 'Lapsed: exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks'],
    ]);
  });

  it('refuses to lapse an active exception before its end date', async () => {
    const { ports, lapses } = fakePorts('2025-06-29T12:00:00.000Z');
    await expect(actStage(ports, request.requestId, 'LAPSE')).rejects.toThrow(
      new InvalidInputError('Exception ex-20250301-0123456789abcdef does not lapse before 2025-06-30.'),
    );
    expect(lapses).toEqual([]);
  });

  it('tells nobody of a withdrawn exception', async () => {
    const { ports, sent } = fakePorts('2025-06-30T06:00:00.000Z', { standing: 'WITHDRAWN' });
    expect(await planStage(ports, request.requestId, 'LAPSE')).toEqual({ next: 'DONE', waitSeconds: 1 });
    expect(await actStage(ports, request.requestId, 'LAPSE')).toEqual({ status: 'WITHDRAWN' });
    expect(sent.size).toBe(0);
  });

  it('refuses an unknown request and one that was not approved', async () => {
    await expect(planStage(fakePorts('2025-06-30T06:00:00.000Z').ports, 'ex-20250301-ffffffffffffffff', 'LAPSE')).rejects.toThrow(RequestNotFoundError);
    await expect(planStage(fakePorts('2025-06-30T06:00:00.000Z', { request: { status: 'REJECTED' } }).ports, request.requestId, 'LAPSE')).rejects.toThrow(
      new InvalidInputError('Exception ex-20250301-0123456789abcdef is REJECTED, not approved: it has nothing to lapse.'),
    );
  });

  it('links the account page from the emails and carries no link that acts', async () => {
    const emails: string[] = [];
    const { ports } = fakePorts('2025-06-16T06:00:00.000Z');
    ports.send = async (_id, _key, _to, email) => {
      emails.push(email.text);
    };
    await actStage(ports, request.requestId, 'NOTICE');
    expect(emails[0]).toContain('Open the account: https://social.cabq.example/accounts/acct-20250301-0123456789abcdef');
    expect(emails[0]).not.toMatch(/approvals|\?s=|token/i);
  });
});
