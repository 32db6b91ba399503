import type { Approval } from '#core/approval';
import { chainFact, type RequestDescription } from '#core/description';
import { formatWhen, html, type SafeHtml } from '#core/html';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import {
  approvalWrites,
  approvedDecision,
  type DepartmentPolicyRequest,
  departmentPolicyIdPrefix,
  departmentPolicySteps,
  parseDepartmentPolicyForm,
  pointerWriteIndex,
  policiesPath,
  policyName,
  policyRecordId,
} from '#department-policy/department-policy';

/*
 * A departmental social media policy (R) as a kind of request: decided by the Communications
 * Director (or designee); approval keeps the version as a write-once record with its SHA-256 and
 * makes it the department's current policy, superseding the one before (which stays on record).
 */

function describeDepartmentPolicy(request: DepartmentPolicyRequest): RequestDescription {
  const name = policyName(request);
  return {
    title: `${name} (R)`,
    subject: name,
    article: 'the ',
    outcomeTitle: name,
    rules: 'R',
    approvedNote: `The ${name} is approved (R) and kept on record as ${policyRecordId(request.requestId)}, with the SHA-256 of its text ${request.sha256}. It is now the department’s current social media policy, and any earlier version is superseded (it stays on record). Department staff follow it as well as the City’s social media policy. The department’s policies: ${policiesPath(request.departmentCode)}`,
    facts: [
      ['Request', request.requestId],
      ['Submitted by', `${request.requester.name} (${request.requester.email})`],
      ['Department', request.departmentName],
      ['Version', request.version],
      ['What it adds to the City policy', request.additions],
      ...(request.documentUrl ? ([['Adopted document', request.documentUrl]] as [string, string][]) : []),
      ['SHA-256 of the text', request.sha256],
      ['Policy text', request.text],
      chainFact(request, 'the requester'),
    ],
    factShapes: { 'Adopted document': 'link' },
    related: [{ label: `${request.departmentName} social media policies`, href: policiesPath(request.departmentCode) }],
  };
}

/** An approved version's record card: which record, its checksum, who approved it when. */
function recordCard(request: DepartmentPolicyRequest, approvals: Approval[]): SafeHtml | undefined {
  if (request.status !== 'APPROVED') return undefined;
  const decision = approvedDecision(request, approvals);
  return html`<div class="card"><h2>Kept on record (R, H)</h2><dl>
    <dt>Record</dt><dd>${policyRecordId(request.requestId)}</dd>
    <dt>SHA-256 of the text</dt><dd><code>${request.sha256}</code></dd>
    ${decision ? html`<dt>Approved</dt><dd>${formatWhen(decision.decidedAt)} by ${decision.decidedByName}</dd>` : ''}
    <dt>Current or superseded</dt><dd><a class="usa-link" href="${policiesPath(request.departmentCode)}">See the department’s policies</a></dd>
  </dl></div>`;
}

/** How many pointer positions close() tries past the one the request saw at submission before it gives up. */
const maxApprovalsMeanwhile = 25;

/**
 * Approved: the record and the pointer in one transaction with the request's close. Another
 * version approved since this one was submitted moves the pointer on; the conditional pointer
 * write then fails and the next position is tried, so of two racing approvals the later becomes
 * current and the earlier is superseded (via the pointer, its record untouched). A retry after
 * the commit finds the request closed and repeats only the emails (each sent once by audience).
 */
async function close(c: Closing<DepartmentPolicyRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const decision = approvedDecision(request, c.approvals);
  if (!decision) return c.fail(`request ${request.requestId} has no approval by the Communications Director (R) to record`);
  const recordId = policyRecordId(request.requestId);
  let outcome: Awaited<ReturnType<typeof c.store.approveWith>> = { result: 'conflict', failed: pointerWriteIndex };
  let before = request.approvedBefore;
  for (let tries = 0; tries <= maxApprovalsMeanwhile && outcome.result === 'conflict' && outcome.failed === pointerWriteIndex; tries += 1) {
    if (tries > 0) before += 1;
    outcome = await c.store.approveWith(request.requestId, c.now, approvalWrites(request, decision, before, c.now).writes, { recordId });
  }
  if (outcome.result === 'conflict') {
    return c.fail(
      outcome.failed === pointerWriteIndex
        ? `the current policy of ${request.departmentName} kept changing while this approval was recorded`
        : `the record of ${policyName(request)} could not be written (write ${outcome.failed} refused)`,
    );
  }
  if (outcome.result === 'closed') {
    const settled = await c.alreadyClosed();
    if (settled) return settled;
  }
  await c.tell('APPROVED');
  c.log('department policy approved', {
    requestId: request.requestId,
    recordId,
    departmentCode: request.departmentCode,
    sequence: before + 1,
    result: outcome.result,
  });
  return { status: 'APPROVED', accountId: null };
}

export const departmentPolicyKind: RequestKindModule<DepartmentPolicyRequest, typeof parseDepartmentPolicyForm, typeof departmentPolicySteps> = {
  kind: 'DEPARTMENT_POLICY',
  idPrefix: departmentPolicyIdPrefix,
  entity: 'DepartmentPolicyRequest',
  label: 'Departmental social media policy (R)',
  stateMachine: 'departmentPolicyApproval',
  parseForm: parseDepartmentPolicyForm,
  planSteps: departmentPolicySteps,
  describe: describeDepartmentPolicy,
  // Its page says who approved it (from the decisions).
  contextNeeds: () => ({ approvals: true }),
  interested: () => [],
  listed: (r) => ({ version: r.version, departmentCode: r.departmentCode, sha256: r.sha256 }),
  pageExtras: (r, context) => {
    const card = recordCard(r, context.approvals ?? []);
    return card ? { card } : {};
  },
  details: (r) => ({ recordId: r.status === 'APPROVED' ? policyRecordId(r.requestId) : null, policies: policiesPath(r.departmentCode) }),
  exportCells: (r) => ({
    subject: policyName(r),
    documentSha256: r.sha256,
    reason: r.additions,
    preservedRecordId: r.status === 'APPROVED' ? policyRecordId(r.requestId) : null,
  }),
  // About a department, not one account: filed under the department's policies instead (DEPARTMENT_POLICIES#code).
  accountOf: () => undefined,
  close,
};
