import type { EmailContent } from '#core/email-layout';
import { InvalidInputError, RequestNotFoundError } from '#core/errors';
import type { NamedPerson } from '#core/request';
import type { Standing } from '#core/standing';
import { exceptionEndingEmail, exceptionLapsedEmail } from '#exception/emails';
import { type ExceptionRequest, exceptionTimeline, type LapseStage, type NextStep, nextStep } from '#exception/exception';

/*
 * An approved exception's life after its approval (F.d), as the state machine's lapseException task
 * runs it: plan a stage (what is owed now, or how long to wait), wait (re-checking the clock), act.
 * Every act is idempotent: the ending and lapsed emails each have an idempotency key per audience,
 * and the lapse is a conditional write, so a retry or a re-run after a restart repeats nothing.
 */

export interface LapsePorts {
  request(requestId: string): Promise<ExceptionRequest | undefined>;
  standing(accountId: string, requestId: string): Promise<Standing | undefined>;
  /** ACTIVE → LAPSED; false when it was not active. */
  lapse(accountId: string, requestId: string, at: string): Promise<boolean>;
  /** Who holds the Communications Coordinator role now (they hear of every exception's end). */
  coordinator(): Promise<NamedPerson | undefined>;
  /** Whether the email under this key (beside the request) was sent. */
  sent(requestId: string, key: string): Promise<boolean>;
  /** Sends the email once under this key (beside the request). */
  send(requestId: string, key: string, to: string, email: EmailContent): Promise<void>;
  now(): Date;
  baseUrl: string;
}

/** Who is told of an exception's end: the requester and the Coordinator, each once (one email when they are the same person). */
async function audiences(ports: LapsePorts, request: ExceptionRequest): Promise<{ audience: string; person: NamedPerson }[]> {
  const coordinator = await ports.coordinator();
  return [
    { audience: 'requester', person: request.requester },
    ...(coordinator && coordinator.id !== request.requester.id ? [{ audience: 'coordinator', person: coordinator }] : []),
  ];
}

/** The email keys: `exception-ending-<audience>`, `exception-lapsed-<audience>`. */
export const mailKey = (stage: LapseStage, audience: string) => `exception-${stage === 'NOTICE' ? 'ending' : 'lapsed'}-${audience}`;

async function exceptionOf(ports: LapsePorts, requestId: string): Promise<ExceptionRequest> {
  const request = await ports.request(requestId);
  if (!request) throw new RequestNotFoundError(`No request ${requestId}.`);
  if (request.kind !== 'EXCEPTION') throw new InvalidInputError(`Request ${requestId} is not an exception.`);
  if (request.status !== 'APPROVED') throw new InvalidInputError(`Exception ${requestId} is ${request.status}, not approved: it has nothing to lapse.`);
  return request;
}

/** What a stage owes at the clock's now: ACT, WAIT (seconds, at most 20 days), SKIP (the notice is past or sent) or DONE. */
export async function planStage(ports: LapsePorts, requestId: string, stage: LapseStage): Promise<NextStep> {
  const request = await exceptionOf(ports, requestId);
  const standing = await ports.standing(request.accountId, request.requestId);
  // The coordinator's email is sent last: once it is recorded, the whole notice was.
  const noticeSent = stage === 'NOTICE' && (await ports.sent(requestId, mailKey('NOTICE', 'coordinator')));
  const soleAudience = stage === 'NOTICE' && !noticeSent && (await audiences(ports, request)).length === 1;
  const sent = noticeSent || (soleAudience && (await ports.sent(requestId, mailKey('NOTICE', 'requester'))));
  return nextStep({ stage, timeline: exceptionTimeline(request.endsOn), now: ports.now(), status: standing?.status, noticeSent: sent });
}

/** NOTICE: tells the requester and the Coordinator it is ending. LAPSE: lapses the standing and tells them it has. */
export async function actStage(ports: LapsePorts, requestId: string, stage: LapseStage): Promise<{ status: string }> {
  const request = await exceptionOf(ports, requestId);
  const accountUrl = `${ports.baseUrl.replace(/\/+$/, '')}/accounts/${encodeURIComponent(request.accountId)}`;
  const told = await audiences(ports, request);
  if (stage === 'NOTICE') {
    for (const { audience, person } of told) {
      await ports.send(requestId, mailKey(stage, audience), person.email, exceptionEndingEmail({ request, to: person, accountUrl }));
    }
    return { status: 'TOLD' };
  }
  const before = await ports.standing(request.accountId, request.requestId);
  if (before?.status === 'ACTIVE') {
    const due = nextStep({ stage, timeline: exceptionTimeline(request.endsOn), now: ports.now(), status: 'ACTIVE' });
    if (due.next !== 'ACT') throw new InvalidInputError(`Exception ${requestId} does not lapse before ${request.endsOn}.`);
    await ports.lapse(request.accountId, request.requestId, ports.now().toISOString());
  }
  // Read back: a second run finds it lapsed (and owes only the emails), a withdrawn one owes nothing.
  const standing = before?.status === 'ACTIVE' ? await ports.standing(request.accountId, request.requestId) : before;
  if (standing?.status !== 'LAPSED') return { status: standing?.status ?? 'GONE' };
  const lapsedAt = standing.lapsedAt ?? ports.now().toISOString();
  for (const { audience, person } of told) {
    await ports.send(requestId, mailKey(stage, audience), person.email, exceptionLapsedEmail({ request, to: person, lapsedAt, accountUrl }));
  }
  return { status: 'LAPSED' };
}
