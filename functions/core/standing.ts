import type { Closing, OutcomeResult, RequestBase } from '#core/request-kind';

/** Something approved that stays in force on an account: an exception (F.d) or a display on a City website (Q). */
export interface Standing {
  accountId: string;
  kind: 'EXCEPTION' | 'DISPLAY';
  requestId: string;
  /** One line, e.g. "Exception to F.b (Purpose and Commitment to Quality)" or "Shown on https://www.cabq.gov/parks". */
  title: string;
  /** Label/value pairs shown under the title. */
  facts: [string, string][];
  approvedAt: string;
  approvedByName: string;
  /** YYYY-MM-DD */
  startsOn: string;
  /** YYYY-MM-DD, for what ends (an exception). */
  endsOn?: string;
  status: 'ACTIVE' | 'LAPSED' | 'WITHDRAWN';
  lapsedAt?: string;
}

export const standingKey = (accountId: string, kind: Standing['kind'], requestId: string) => ({
  PK: `ACCOUNT#${accountId}`,
  SK: `STANDING#${kind}#${requestId}`,
});

/** Its item: PK ACCOUNT#<accountId>, SK STANDING#<kind>#<requestId>, entity 'Standing'. */
export function standingItem(s: Standing): Record<string, unknown> {
  return { ...standingKey(s.accountId, s.kind, s.requestId), entity: 'Standing', ...s };
}

/** In force first (by start), then ended ones (most recently ended first). */
export function inForce(standings: readonly Standing[]): { active: Standing[]; ended: Standing[] } {
  const active = standings.filter((s) => s.status === 'ACTIVE').sort((a, b) => a.startsOn.localeCompare(b.startsOn) || a.requestId.localeCompare(b.requestId));
  const ended = standings
    .filter((s) => s.status !== 'ACTIVE')
    .sort((a, b) => (b.lapsedAt ?? b.endsOn ?? '').localeCompare(a.lapsedAt ?? a.endsOn ?? '') || a.requestId.localeCompare(b.requestId));
  return { active, ended };
}

/** A short line for a list (the annual review): the title, and until when for what ends. */
export function standingLine(s: Standing): string {
  return s.endsOn ? `${s.title} until ${s.endsOn}` : s.title;
}

/**
 * What an approval that puts a standing on an account does (F.d, Q): closes the request and puts
 * the standing (write-once) with a check that the account is still active, in one transaction.
 * Answers `settled`, the close's result, when nothing is left to do (the request failed because
 * the account is no longer active, or a re-run found it closed otherwise); else the decision the
 * standing records: approved (now or by an earlier run), and the caller tells who must hear (each
 * email once, by audience).
 */
export async function approveStanding<R extends RequestBase & { accountId: string }>(
  c: Closing<R>,
  input: { standing: (decision: { decidedAt: string; decidedByName: string }) => Record<string, unknown>; what: string; account: string; decider: string },
): Promise<{ settled: OutcomeResult } | { settled?: undefined; decision: { decidedAt: string; decidedByName: string } }> {
  const { request } = c;
  const decided = [...c.approvals].reverse().find((a) => a.decision?.outcome === 'APPROVED')?.decision;
  const decision = { decidedAt: decided?.decidedAt ?? c.now, decidedByName: decided?.decidedByName ?? c.decision.decidedByName ?? input.decider };
  const written = await c.store.approveWith(request.requestId, c.now, [
    { put: input.standing(decision), mustBeNew: true },
    { check: { key: { PK: `ACCOUNT#${request.accountId}`, SK: 'PROFILE' }, equals: { status: 'ACTIVE' } } },
  ]);
  if (written.result === 'conflict') {
    const reason =
      written.failed === 0
        ? `${input.what} from request ${request.requestId} is already recorded on ${input.account}`
        : `${input.account} is no longer an active account in the registry`;
    return { settled: await c.fail(reason) };
  }
  if (written.result === 'closed') {
    const settled = await c.alreadyClosed();
    if (settled) return { settled };
  }
  return { decision };
}
