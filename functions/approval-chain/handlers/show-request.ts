import { ForbiddenError, NotFoundError } from '#core/errors';
import { canViewRequest, describeContext, describeRequest, kindOf, requestIdPattern } from '#approval-chain/kinds';
import { myRequestsPage, requestPage } from '#approval-chain/pages';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { RecordsStore } from '#adapters/records-store';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

/**
 * GET /requests/{requestId}: status and the full history, the same record as the audit trail.
 * GET /requests: the signed-in person's own requests of every kind, newest first.
 */
export async function showRequest(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const s = store;
  const signedIn = await signedInViewer(event, store);
  const viewer = signedIn.person;
  if (!event.pathParameters?.requestId) {
    const mine = (await store.requestsBy(viewer.id)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (wantsHtml(event)) {
      // Where each pending one stands: its own approvals (the person's own requests only, one read each).
      const pending = mine.filter((r) => r.status === 'PENDING');
      const read = await Promise.all(pending.map(async (r) => [r.requestId, (await s.requestWithApprovals(r.requestId)).approvals] as const));
      return htmlResponse(200, myRequestsPage(mine, signedIn, Object.fromEntries(read)));
    }
    return jsonResponse(200, {
      requests: mine.map((r) => ({
        requestId: r.requestId,
        kind: r.kind,
        title: describeRequest(r).title,
        status: r.status,
        platformName: r.platformName,
        ...kindOf(r).listed(r),
        departmentName: r.departmentName,
        createdAt: r.createdAt,
        closedAt: r.closedAt,
      })),
    });
  }
  const requestId = event.pathParameters.requestId;
  const { request, approvals } = requestIdPattern.test(requestId) ? await store.requestWithApprovals(requestId) : { request: undefined, approvals: [] };
  if (!request) throw new NotFoundError(`There is no request ${requestId}.`);
  const [department, roleHolders] = await Promise.all([store.department(request.departmentCode), store.roleHolders()]);
  const approverIds = approvals.map((a) => a.approverId);
  if (!canViewRequest({ request, approverIds, viewer, department, roleHolders })) {
    throw new ForbiddenError('Only the requester, its approvers, the department director, communications staff and DTI can see this request.');
  }
  // What its kind's description needs: a removal's preserved post (H), read from its write-once record.
  const recordsStore = records ?? new RecordsStore();
  records = recordsStore;
  const context = await describeContext(request, { record: (id) => recordsStore.record(id), approvals: async () => approvals }, { approvals });
  if (wantsHtml(event)) {
    const notice = event.queryStringParameters?.submitted ? 'Your request is submitted. The first approver has been emailed.' : undefined;
    return htmlResponse(200, requestPage(request, approvals, signedIn, notice, context));
  }
  const history = approvals.map(({ secretHash, sealedToken, ...visible }) => visible);
  return jsonResponse(200, { request, approvals: history, ...kindOf(request).details(request, context) });
}

export const handler = httpHandler(showRequest);
