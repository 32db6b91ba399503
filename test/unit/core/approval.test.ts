import { describe, expect, it } from 'vitest';
import { type Decision, directorDecision, linkState, parseDecision } from '#core/approval';
import { hashSecret } from '#core/approval-link';
import { InvalidInputError } from '#core/errors';
import { accountRequest, approval } from '../fixtures.ts';

const secret = `${'x'.repeat(21)}${'Y_-'.repeat(7)}z`;
const stored = approval({ secretHash: hashSecret(secret) });
const decision: Decision = {
  outcome: 'APPROVED',
  decidedAt: '2025-03-02T16:00:00.000Z',
  decidedById: 'E100',
  decidedByName: 'Dolores Baca',
  approvalId: stored.approvalId,
};

describe('linkState', () => {
  it('is open for the right secret on an undecided link of a pending request', () => {
    expect(secret).toHaveLength(43);
    expect(linkState(stored, 'PENDING', secret)).toEqual({ kind: 'open' });
  });

  it.each([
    ['a wrong secret', `${secret.slice(0, -1)}q`],
    ['no secret', undefined],
    ['an empty secret', ''],
    ['a malformed secret', 'not a secret!'],
    ['a secret with one character too many', `${secret}a`],
  ])('is forbidden for %s', (_what, given) => {
    expect(linkState(stored, 'PENDING', given)).toEqual({ kind: 'forbidden' });
  });

  it('is forbidden for a wrong secret even on a decided link, so it leaks nothing', () => {
    expect(linkState({ ...stored, decision }, 'APPROVED', 'a'.repeat(43))).toEqual({ kind: 'forbidden' });
  });

  it('reports the stored decision once decided', () => {
    expect(linkState({ ...stored, decision }, 'PENDING', secret)).toEqual({ kind: 'decided', decision });
  });

  it('names who a superseded link went to', () => {
    const superseded = { ...stored, supersededAt: '2025-03-04T16:00:00.000Z', supersededByName: 'Marcus Chavez' };
    expect(linkState(superseded, 'PENDING', secret)).toEqual({ kind: 'superseded', to: 'Marcus Chavez', at: '2025-03-04T16:00:00.000Z' });
  });

  it.each(['APPROVED', 'REJECTED', 'EXPIRED', 'FAILED'] as const)('is closed when the request is %s', (status) => {
    expect(linkState(stored, status, secret)).toEqual({ kind: 'closed', status });
  });
});

describe('parseDecision', () => {
  const refused = (raw: unknown): Record<string, string> => {
    try {
      parseDecision(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return (error as InvalidInputError).fields;
    }
    throw new Error('expected the decision to be refused');
  };

  it('accepts an approval without a reason', () => {
    expect(parseDecision({ s: secret, outcome: 'APPROVED' })).toStrictEqual({ s: secret, outcome: 'APPROVED', reason: undefined, confirmed: false });
  });

  it('is confirmed only by confirmed=yes, the final page’s button', () => {
    expect(parseDecision({ s: secret, outcome: 'REJECTED', reason: 'Duplicate account.', confirmed: 'yes' }).confirmed).toBe(true);
    expect(parseDecision({ s: secret, outcome: 'REJECTED', reason: 'Duplicate account.', confirmed: 'no' }).confirmed).toBe(false);
    expect(parseDecision({ s: secret, outcome: 'APPROVED', confirmed: '' }).confirmed).toBe(false);
  });

  it('turns a blank reason into no reason', () => {
    expect(parseDecision({ s: secret, outcome: 'APPROVED', reason: '   ' }).reason).toBeUndefined();
  });

  it('accepts a rejection with a reason, trimmed', () => {
    expect(parseDecision({ s: secret, outcome: 'REJECTED', reason: '  Duplicate account.  ' })).toMatchObject({
      outcome: 'REJECTED',
      reason: 'Duplicate account.',
    });
  });

  it.each([
    ['no reason', undefined],
    ['a four-character reason', 'nope'],
    ['a reason that is only padding', '  ab      '],
  ])('refuses a rejection with %s', (_what, reason) => {
    expect(refused({ s: secret, outcome: 'REJECTED', reason })).toEqual({ reason: expect.stringMatching(/reason for the rejection/) });
  });

  it('refuses an unknown outcome', () => {
    expect(refused({ s: secret, outcome: 'MAYBE' })).toHaveProperty('outcome', 'choose Approve or Reject');
  });

  it('refuses a decision without the link secret', () => {
    expect(Object.keys(refused({ outcome: 'APPROVED' }))).toEqual(['s']);
  });
});

describe('directorDecision', () => {
  const steps = accountRequest().steps;
  const comms: Decision = { ...decision, decidedById: 'E500', decidedByName: 'Elena Martinez' };

  it('is the approval of the Department Director step, whoever decided it', () => {
    const escalated = { ...decision, decidedById: 'E101', decidedByName: 'Marcus Chavez' };
    const approvals = [
      approval({ supersededAt: '2025-03-04T16:00:00.000Z' }),
      approval({ round: 1, decision: escalated }),
      approval({ step: 1, decision: comms }),
    ];
    expect(directorDecision(steps, approvals)).toEqual(escalated);
  });

  it('is undefined when the director’s step was not approved', () => {
    expect(directorDecision(steps, [approval({ decision: { ...decision, outcome: 'REJECTED' } }), approval({ step: 1, decision: comms })])).toBeUndefined();
  });

  it('is undefined when the chain has no Department Director step', () => {
    expect(directorDecision(steps.slice(1), [approval({ step: 0, decision: comms })])).toBeUndefined();
  });
});
