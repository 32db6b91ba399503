import { alert, dataTable, facts } from '#core/components';
import { formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import type { Department } from '#core/policy';
import {
  type DepartmentPolicyPointer,
  type DepartmentPolicyRecord,
  type DepartmentPolicyRequest,
  policiesPath,
  policyVersions,
} from '#department-policy/department-policy';
import type { Viewer } from '#site/navigation';

/** What a department's policies page (and its JSON) shows: the current approved version, the superseded ones, the submissions. */
export interface DepartmentPolicies {
  department: Department;
  current?: DepartmentPolicyRecord;
  superseded: { record: DepartmentPolicyRecord; supersededBy?: DepartmentPolicyRecord }[];
  pending: DepartmentPolicyRequest[];
  /** Submissions that closed without approval (rejected, expired, failed), newest first. */
  notApproved: DepartmentPolicyRequest[];
}

export function departmentPolicies(input: {
  department: Department;
  requests: DepartmentPolicyRequest[];
  records: DepartmentPolicyRecord[];
  pointer?: Pick<DepartmentPolicyPointer, 'recordId'>;
}): DepartmentPolicies {
  const { current, superseded } = policyVersions(input.records, input.pointer);
  const newest = (a: DepartmentPolicyRequest, b: DepartmentPolicyRequest) => b.createdAt.localeCompare(a.createdAt);
  return {
    department: input.department,
    ...(current ? { current } : {}),
    superseded,
    pending: input.requests.filter((r) => r.status === 'PENDING').sort(newest),
    notApproved: input.requests.filter((r) => r.status !== 'PENDING' && r.status !== 'APPROVED').sort(newest),
  };
}

/** The JSON an API client reads: records without their full text in the lists (the current one keeps it). */
export function departmentPoliciesJson(p: DepartmentPolicies, maySubmit: boolean) {
  const summary = ({ text: _text, ...rest }: DepartmentPolicyRecord) => rest;
  const request = (r: DepartmentPolicyRequest) => ({
    requestId: r.requestId,
    version: r.version,
    status: r.status,
    sha256: r.sha256,
    createdAt: r.createdAt,
    href: `/requests/${r.requestId}`,
  });
  return {
    department: { code: p.department.code, name: p.department.name },
    current: p.current ?? null,
    superseded: p.superseded.map((s) => ({
      ...summary(s.record),
      supersededByRecordId: s.supersededBy?.recordId ?? null,
      supersededByVersion: s.supersededBy?.version ?? null,
    })),
    pending: p.pending.map(request),
    notApproved: p.notApproved.map(request),
    submit: maySubmit ? `${policiesPath(p.department.code)}/new` : null,
  };
}

const requestLink = (requestId: string) => html`<a class="usa-link" href="/requests/${encodeURIComponent(requestId)}">${requestId}</a>`;

function currentCard(record: DepartmentPolicyRecord): SafeHtml {
  return html`<h2>Current policy: version ${record.version}</h2>
    ${facts([
      ['Version', record.version],
      ['Approved', `${formatWhen(record.approvedAt)} by ${record.approvedByName}`],
      ['Submitted by', `${record.submittedByName}, ${formatWhen(record.submittedAt)}`],
      ['What it adds to the City policy', record.additions],
      ...(record.documentUrl
        ? ([['Adopted document', html`<a class="usa-link" href="${record.documentUrl}" rel="noopener noreferrer">${record.documentUrl}</a>`]] as [
            string,
            SafeHtml,
          ][])
        : []),
      ['Record (write-once)', record.recordId],
      ['SHA-256 of the text', html`<code>${record.sha256}</code>`],
      ['Request', requestLink(record.requestId)],
    ])}
    ${facts([['Policy text', record.text]])}`;
}

/** GET /departments/{code}/policies: the department's current policy, the ones it superseded, what waits for a decision. */
export function departmentPoliciesPage(input: { viewer: Viewer; policies: DepartmentPolicies; maySubmit: boolean; notice?: string }): string {
  const { department, current, superseded, pending, notApproved } = input.policies;
  const submitLink = input.maySubmit
    ? html`<p><a class="usa-button" href="${policiesPath(department.code)}/new">Submit a new version</a></p>`
    : html`<p class="usa-hint">Only staff of ${department.name} can submit its policy.</p>`;
  return page({
    title: `${department.name} social media policy`,
    viewer: input.viewer,
    path: '/accounts',
    body: html`<h1>${department.name} social media policy</h1>
    ${input.notice ? alert('success', input.notice, { role: 'status', slim: true }) : ''}
    <p class="usa-intro">Policy R: a department may add its own rules to the City’s social media policy; its staff follow both. The Communications Director approves each version, and each approved version is kept unchangeable on record with the SHA-256 of its text.</p>
    ${submitLink}
    ${current ? currentCard(current) : alert('info', `${department.name} has no approved social media policy of its own: the City’s social media policy applies alone.`, { slim: true })}
    ${
      pending.length
        ? html`<h2>Waiting for the Communications Director</h2>${dataTable({
            headers: ['Version', 'Submitted', 'Request'],
            rows: pending.map((r) => [r.version, `${formatWhen(r.createdAt)} by ${r.requester.name}`, requestLink(r.requestId)]),
          })}`
        : ''
    }
    ${
      superseded.length
        ? html`<h2>Superseded versions (kept on record)</h2>${dataTable({
            headers: ['Version', 'Approved', 'Superseded by', 'Record', 'SHA-256', 'Request'],
            rows: superseded.map(({ record, supersededBy }) => [
              record.version,
              `${formatWhen(record.approvedAt)} by ${record.approvedByName}`,
              supersededBy ? `version ${supersededBy.version}, ${formatWhen(supersededBy.approvedAt)}` : 'a later version',
              record.recordId,
              html`<code>${record.sha256}</code>`,
              requestLink(record.requestId),
            ]),
          })}`
        : ''
    }
    ${
      notApproved.length
        ? html`<h2>Not approved</h2>${dataTable({
            headers: ['Version', 'Submitted', 'Outcome', 'Request'],
            rows: notApproved.map((r) => [
              r.version,
              `${formatWhen(r.createdAt)} by ${r.requester.name}`,
              html`${statusBadge(r.status)} ${r.outcomeReason ?? ''}`,
              requestLink(r.requestId),
            ]),
          })}`
        : ''
    }
    <p><a class="usa-link" href="/accounts">Back to the registry</a></p>`,
  });
}
