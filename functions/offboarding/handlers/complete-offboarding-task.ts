import { approvalIdPattern, secretMatches } from '#core/approval-link';
import { ConfigurationError, InvalidInputError, InvalidLinkError } from '#core/errors';
import type { Offboarding, OffboardingTask, TaskLink, TaskLinkState } from '#offboarding/offboarding';
import { taskLinkState } from '#offboarding/offboarding';
import { taskDonePage, taskPage } from '#offboarding/pages';
import { metricNames } from '#core/metrics';
import type { Person } from '#core/policy';
import type { Viewer } from '#site/navigation';
import { checkpoint } from '#adapters/checkpoints';
import { CredentialStore } from '#adapters/credential-store';
import { correlate, httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, signedInViewer, wantsHtml } from '#adapters/http';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { countMetric } from '#adapters/metrics';
import { OffboardingStore } from '#adapters/offboarding-store';
import { sfnCallbacks } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';
import { vault } from '#adapters/vault';

let directory: GovernanceStore | undefined;
let store: OffboardingStore | undefined;
let credentials: CredentialStore | undefined;

const statusFor: Record<TaskLinkState['kind'], number> = { forbidden: 404, 'wrong-person': 403, done: 409, superseded: 410, expired: 410, open: 200 };

interface Context {
  event: HttpEvent;
  viewer: Person;
  signedIn: Viewer;
  link: TaskLink;
  task: OffboardingTask;
  offboarding: Offboarding;
  secret: string;
}

/**
 * GET /tasks/{taskId}?s=… shows the task and changes nothing (mail scanners prefetch links; no
 * password on a GET). POST, only by the signed-in person the link was sent to, with its secret:
 * `reveal` shows the new password (recorded), `confirm` promotes it to the account's current
 * credential, `appoint` makes a chosen person the account's admin.
 */
export async function completeOffboardingTask(event: HttpEvent): Promise<HttpResult> {
  directory ??= new GovernanceStore();
  store ??= new OffboardingStore();
  const signedIn = await signedInViewer(event, directory);
  const viewer = signedIn.person;
  const taskId = event.pathParameters?.taskId ?? '';
  const link = approvalIdPattern.test(taskId) ? await store.linkById(taskId) : undefined;
  const [task, offboarding] = link ? await Promise.all([store.task(link.offboardingId, link.accountId, link.kind), store.offboarding(link.offboardingId)]) : [];
  const isPost = event.requestContext.http.method === 'POST';
  const body = isPost ? parseBody(event) : {};
  const secret = (isPost ? (typeof body.s === 'string' ? body.s : undefined) : event.queryStringParameters?.s) ?? '';
  // An unknown link and a wrong secret get the same answer, which names nothing about the task.
  if (!link || !task || !offboarding || !secretMatches(secret, link.secretHash)) {
    logger.info('invalid task link', { taskId: link ? taskId : 'unknown' });
    throw new InvalidLinkError();
  }
  // A verified link: the lines that follow are the offboarding's.
  correlate(link.offboardingId);
  const ctx: Context = { event, viewer, signedIn, link, task, offboarding, secret };
  const state = taskLinkState(link, task, secret, viewer.id);
  if (!isPost || state.kind !== 'open') return show(ctx, state, statusFor[state.kind]);

  const action = body.action;
  if (task.kind === 'ROTATE' && action === 'reveal') return reveal(ctx);
  if (task.kind === 'ROTATE' && action === 'confirm') return confirm(ctx, body.setOnPlatform === 'yes');
  if (task.kind === 'APPOINT' && action === 'appoint') return appoint(ctx, typeof body.personId === 'string' ? body.personId : '');
  const expected = {
    ROTATE: 'Choose reveal or confirm.',
    APPOINT: 'Choose a person to appoint.',
    CAPTURE: 'The login is recorded on the account\u2019s credential page, not here.',
  };
  throw new InvalidInputError(expected[task.kind], {
    action: 'not an action this task offers',
  });
}

async function show(
  ctx: Context,
  state: TaskLinkState,
  status: number,
  extra: { password?: string; errors?: Record<string, string> } = {},
): Promise<HttpResult> {
  const { task, link } = ctx;
  if (!wantsHtml(ctx.event)) {
    return jsonResponse(status, {
      offboardingId: task.offboardingId,
      accountId: task.accountId,
      task: task.kind,
      link: state.kind,
      revealed: task.reveals.some((r) => r.personId === ctx.viewer.id),
      ...(extra.password ? { password: extra.password } : {}),
      ...(extra.errors ? { fields: extra.errors } : {}),
    });
  }
  const people = task.kind === 'APPOINT' && state.kind === 'open' ? await (directory as GovernanceStore).people() : undefined;
  const offered = people?.filter((p) => p.id !== ctx.offboarding.employee.id);
  return htmlResponse(status, taskPage({ task, link, state, secret: ctx.secret, viewer: ctx.signedIn, people: offered, ...extra }));
}

/** Again from the stored state, after a conditional write lost to someone else. */
async function showLatest(ctx: Context): Promise<HttpResult> {
  const task = (await (store as OffboardingStore).task(ctx.task.offboardingId, ctx.task.accountId, ctx.task.kind)) ?? ctx.task;
  const state = taskLinkState(ctx.link, task, ctx.secret, ctx.viewer.id);
  return show({ ...ctx, task }, state, statusFor[state.kind]);
}

async function reveal(ctx: Context): Promise<HttpResult> {
  const s = store as OffboardingStore;
  if (!ctx.task.versionId) throw new ConfigurationError('This rotation has no vault version.');
  // Read first: a reveal is recorded only when there is a password to show, and shown only once recorded.
  const password = await vault.readVersion(ctx.task.accountId, ctx.task.versionId);
  if (!password) throw new ConfigurationError(`The new password for ${ctx.task.accountLabel} is missing from the vault; tell DTI.`);
  if (!(await s.recordReveal(ctx.task, ctx.viewer, new Date().toISOString()))) return showLatest(ctx);
  logger.info('rotation password revealed', { offboardingId: ctx.task.offboardingId, accountId: ctx.task.accountId });
  const task = { ...ctx.task, reveals: [...ctx.task.reveals, { personId: ctx.viewer.id, name: ctx.viewer.name, at: new Date().toISOString() }] };
  return show({ ...ctx, task }, { kind: 'open' }, 200, { password });
}

async function confirm(ctx: Context, setOnPlatform: boolean): Promise<HttpResult> {
  const s = store as OffboardingStore;
  if (!ctx.task.reveals.some((r) => r.personId === ctx.viewer.id)) {
    return show(ctx, { kind: 'open' }, 400, { errors: { action: 'Show the new password first, then set it on the platform.' } });
  }
  if (!setOnPlatform) {
    return show(ctx, { kind: 'open' }, 400, { errors: { setOnPlatform: `Tick the box once the new password is set on ${ctx.task.accountLabel}.` } });
  }
  // Promote first: a confirmed rotation always has the new password current in the vault.
  await vault.promote(ctx.task.accountId, ctx.task.versionId as string);
  const at = new Date().toISOString();
  if (!(await s.complete(ctx.task, ctx.viewer, at))) return showLatest(ctx);
  // Once per task: only the conditional write that completed it gets here.
  countMetric(metricNames.rotationConfirmed, 'separationOffboarding');
  await s.recordCredentialChange(ctx.task.accountId, at);
  // The account's credential record: this version is the confirmed password now (O.b).
  credentials ??= new CredentialStore();
  await credentials.rotated(ctx.task.accountId, ctx.task.versionId as string, { id: ctx.viewer.id, name: ctx.viewer.name, email: ctx.viewer.email }, at);
  await s.clearOpen(ctx.task);
  logger.info('rotation confirmed', { offboardingId: ctx.task.offboardingId, accountId: ctx.task.accountId });
  await resumeIfSettled(ctx.offboarding.offboardingId);
  return done(ctx, `The new password for ${ctx.task.accountLabel} is confirmed and is now the account's current credential in the vault.`);
}

async function appoint(ctx: Context, personId: string): Promise<HttpResult> {
  const s = store as OffboardingStore;
  const person = /^[A-Za-z0-9-]{1,20}$/.test(personId) ? await (directory as GovernanceStore).person(personId) : undefined;
  const problem = !person
    ? 'Choose a person from the directory.'
    : person.separatedOn || person.id === ctx.offboarding.employee.id
      ? `${person.name} has separated from the City; choose someone else.`
      : undefined;
  if (problem || !person) return show(ctx, { kind: 'open' }, 400, { errors: { personId: problem ?? 'Choose a person.' } });
  const at = new Date().toISOString();
  const grant = {
    accountId: ctx.task.accountId,
    personId: person.id,
    personName: person.name,
    role: 'ADMIN' as const,
    receivesCredential: true,
    authorizedById: ctx.viewer.id,
    authorizedByName: ctx.viewer.name,
    authorizedAt: at,
    sourceRequestId: ctx.task.offboardingId,
    status: 'ACTIVE' as const,
  };
  if (!(await s.appoint(ctx.task, grant, { id: person.id, name: person.name, email: person.email }, ctx.viewer, at))) return showLatest(ctx);
  await s.clearOpen(ctx.task);
  logger.info('admin appointed', { offboardingId: ctx.task.offboardingId, accountId: ctx.task.accountId });
  await resumeIfSettled(ctx.offboarding.offboardingId);
  return done(ctx, `${person.name} is now an admin of ${ctx.task.accountLabel}, authorized by you (B).`);
}

function done(ctx: Context, what: string): HttpResult {
  return wantsHtml(ctx.event)
    ? htmlResponse(200, taskDonePage(ctx.task, ctx.signedIn, what))
    : jsonResponse(200, { offboardingId: ctx.task.offboardingId, accountId: ctx.task.accountId, task: ctx.task.kind, link: 'done' });
}

/**
 * When the last open task is settled, resumes the waiting execution. A stale token (the wait just
 * timed out) is harmless: the next follow-up finds nothing open and finishes by itself.
 */
async function resumeIfSettled(offboardingId: string): Promise<void> {
  const s = store as OffboardingStore;
  if (await s.anyOpen(offboardingId)) return;
  await checkpoint('completeTask:before-resume', { offboardingId });
  const sealed = (await s.offboarding(offboardingId))?.sealedToken;
  if (!sealed) return;
  try {
    await sfnCallbacks.succeed(await linkKeys().openToken(sealed, offboardingId), { open: 0 });
  } catch (error) {
    logger.warn('every task is settled; the execution will see it on its next follow-up', { error: (error as Error).name });
  }
}

export const handler = httpHandler(completeOffboardingTask);
