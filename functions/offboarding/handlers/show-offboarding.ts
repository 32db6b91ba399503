import { ForbiddenError, NotFoundError } from '#core/errors';
import { offboardingIdPattern } from '#offboarding/hr-events';
import { formatWhen } from '#core/html';
import { accountSummaries, canViewOffboarding } from '#offboarding/offboarding';
import { offboardingPage, offboardingsPage } from '#offboarding/pages';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { OffboardingStore } from '#adapters/offboarding-store';
import { GovernanceStore } from '#adapters/store';

let directory: GovernanceStore | undefined;
let store: OffboardingStore | undefined;

/**
 * GET /offboardings/{id}: the offboarding record (every account: revoked, rotated when and by whom,
 * pending, escalated), for DTI, City-wide role holders, the directors involved and the people
 * asked to act. GET /offboardings: the list, for DTI and the City-wide roles. HTML or JSON.
 */
export async function showOffboarding(event: HttpEvent): Promise<HttpResult> {
  directory ??= new GovernanceStore();
  store ??= new OffboardingStore();
  const signedIn = await signedInViewer(event, directory);
  const viewer = signedIn.person;
  const roleHolders = await directory.roleHolders();
  const offboardingId = event.pathParameters?.offboardingId;

  if (!offboardingId) {
    if (!canViewOffboarding({ viewer, roleHolders, departments: [], tasks: [] })) {
      throw new ForbiddenError('The list of offboardings is for DTI and the Communications Director, Coordinator and their designees.');
    }
    const all = await store.offboardings();
    return wantsHtml(event) ? htmlResponse(200, offboardingsPage(all, signedIn)) : jsonResponse(200, { offboardings: all.map(({ sealedToken, ...o }) => o) });
  }

  const { offboarding, plans, tasks } = offboardingIdPattern.test(offboardingId)
    ? await store.everything(offboardingId)
    : { offboarding: undefined, plans: [], tasks: [] };
  if (!offboarding) throw new NotFoundError(`There is no offboarding ${offboardingId}.`);
  const departments = (await Promise.all([...new Set(plans.map((p) => p.departmentCode))].map((c) => (directory as GovernanceStore).department(c)))).flatMap(
    (d) => (d ? [d] : []),
  );
  if (!canViewOffboarding({ viewer, roleHolders, departments, tasks })) {
    throw new ForbiddenError(
      'This offboarding record is for DTI, the Communications Director and Coordinator, the directors of the departments involved, and the people asked to act.',
    );
  }
  const summaries = accountSummaries(plans, tasks, formatWhen);
  if (wantsHtml(event)) return htmlResponse(200, offboardingPage({ offboarding, plans, summaries, tasks, viewer: signedIn }));
  const { sealedToken, ...record } = offboarding;
  return jsonResponse(200, {
    ...record,
    accounts: summaries,
    tasks: tasks.map(({ versionId, ...t }) => t),
  });
}

export const handler = httpHandler(showOffboarding);
