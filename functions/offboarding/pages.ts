import { formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import {
  type AccountPlan,
  type AccountSummary,
  type Offboarding,
  type OffboardingTask,
  type TaskLink,
  type TaskLinkState,
  taskKindTitle,
} from '#offboarding/offboarding';
import type { Person } from '#core/policy';
import type { Viewer } from '#site/navigation';

function taskIntro(task: OffboardingTask): SafeHtml {
  return task.kind === 'ROTATE'
    ? html`<p>${task.employeeName} has separated from the City and could know the shared password of <strong>${task.accountLabel}</strong> (${task.departmentName}). Policy C: the password must change. A new one has been generated and stored in the City's credential vault.</p>
      <ol><li>Press <em>Show the new password</em> (each reveal is recorded).</li><li>Sign in to the platform and set it as the account's password.</li><li>Come back here and confirm.</li></ol>`
    : html`<p>${task.employeeName} has separated from the City and was the only admin of <strong>${task.accountLabel}</strong> (${task.departmentName}). Policy B and C: appoint a new admin, who is authorized by you to post and receives the shared credential.</p>`;
}

/**
 * A task link's page. GET shows this with nothing revealed; the password appears only in the
 * response to a deliberate POST by the person the link was sent to (`password`).
 */
export function taskPage(input: {
  task: OffboardingTask;
  link: TaskLink;
  state: TaskLinkState;
  secret: string;
  viewer: Viewer;
  password?: string;
  people?: Person[];
  errors?: Record<string, string>;
}): string {
  const { task, link, state } = input;
  let body: SafeHtml;
  switch (state.kind) {
    case 'forbidden':
      body = html`<div class="banner error" role="alert">This link is not valid. Open it again from the email you received.</div>`;
      break;
    case 'wrong-person':
      body = html`<div class="banner error" role="alert">This link was sent to ${state.recipientName}. Only they can use it: sign in as ${state.recipientName}, or ask them to act.</div>`;
      break;
    case 'done':
      body = html`<div class="banner ok" role="status">Done: ${task.kind === 'ROTATE' ? 'the new password was confirmed' : `${task.appointed?.name ?? 'a new admin'} was appointed`} by ${state.byName} on ${formatWhen(state.at)}. Nothing more is needed.</div>`;
      break;
    case 'superseded':
      body = html`<div class="banner info" role="status">This link no longer works: the task was passed to ${state.to} because it was not done in time.</div>`;
      break;
    case 'expired':
      body = html`<div class="banner error" role="status">This task expired without being done. DTI has been told.</div>`;
      break;
    case 'open':
      body = task.kind === 'ROTATE' ? rotationForm(input) : appointmentForm(input);
      break;
  }
  return page({
    title: taskKindTitle[task.kind],
    viewer: input.viewer,
    body: html`<div class="card"><h1>${taskKindTitle[task.kind]}: ${task.accountLabel}</h1>
      <p>${link.recipient.name}, this is for you.</p>${state.kind === 'forbidden' ? '' : taskIntro(task)}</div>
      <div class="card" id="task">${body}</div>`,
  });
}

function rotationForm(input: {
  task: OffboardingTask;
  link: TaskLink;
  secret: string;
  viewer: Viewer;
  password?: string;
  errors?: Record<string, string>;
}): SafeHtml {
  const action = `/tasks/${input.link.approvalId}`;
  const secret = html`<input type="hidden" name="s" value="${input.secret}">`;
  const errors = input.errors ? Object.values(input.errors).map((e) => html`<p class="error" role="alert">${e}</p>`) : '';
  const revealed = Boolean(input.password) || input.task.reveals.some((r) => r.personId === input.viewer.person.id);
  const revealForm = html`<form method="post" action="${action}">${secret}<input type="hidden" name="action" value="reveal">
      ${revealed ? '' : html`<p>The password is shown only after you ask for it, and only to you.</p>`}
      <button type="submit"${revealed ? html` class="secondary"` : ''}>${revealed ? 'Show the new password again' : 'Show the new password'}</button></form>`;
  if (!revealed) return html`${errors}${revealForm}`;
  return html`${
    input.password
      ? html`<p>The new password for ${input.task.accountLabel}:</p><p class="secret" id="new-password">${input.password}</p>
    <p class="hint">Set it on the platform now. Do not email or message it; anyone else who needs it gets it from the vault through DTI.</p>`
      : revealForm
  }
    <form method="post" action="${action}">${secret}<input type="hidden" name="action" value="confirm">
      <label class="check"><input type="checkbox" name="setOnPlatform" value="yes"> I have set this password on ${input.task.accountLabel}</label>${errors}
      <button type="submit">Confirm the password is changed</button></form>`;
}

function appointmentForm(input: { task: OffboardingTask; link: TaskLink; secret: string; people?: Person[]; errors?: Record<string, string> }): SafeHtml {
  const people = (input.people ?? []).filter((p) => !p.separatedOn);
  const error = input.errors?.personId;
  return html`<form method="post" action="/tasks/${input.link.approvalId}"><input type="hidden" name="s" value="${input.secret}">
    <input type="hidden" name="action" value="appoint">
    <label for="personId">New admin</label>
    <select id="personId" name="personId"${error ? html` aria-invalid="true" aria-describedby="personId-error"` : ''}>
      <option value="">Choose a person…</option>${people.map((p) => html`<option value="${p.id}">${p.name} — ${p.title ?? ''} (${p.departmentCode})</option>`)}</select>
    ${error ? html`<p class="error" id="personId-error">${error}</p>` : ''}
    <button type="submit">Appoint as admin</button></form>`;
}

export function taskDonePage(task: OffboardingTask, viewer: Viewer, what: string): string {
  return page({
    title: 'Done',
    viewer: viewer,
    body: html`<div class="card"><h1>Thank you, ${viewer.person.name}</h1><div class="banner ok" role="status">${what}</div>
      <p>It is on the offboarding record, and DTI will see it in the summary. <a href="/offboardings/${task.offboardingId}">Open the record</a></p></div>`,
  });
}

/** The offboarding record: the same account-by-account lines as DTI's summary, and the task history. */
export function offboardingPage(input: {
  offboarding: Offboarding;
  plans: AccountPlan[];
  summaries: AccountSummary[];
  tasks: OffboardingTask[];
  viewer: Viewer;
}): string {
  const { offboarding: o, summaries } = input;
  const revocations = input.plans.flatMap((p) => [
    ...(p.revokedAt && p.grants.length
      ? [{ at: p.revokedAt, what: `${p.grants.map((g) => g.role.toLowerCase()).join(' and ')} grant on ${p.accountLabel} revoked` }]
      : []),
    ...(p.failure ? [{ at: p.failure.at, what: `${p.accountLabel}: FAILED — ${p.failure.reason} (${p.failure.error})` }] : []),
  ]);
  const failed = summaries.filter((s) => s.failed).length;
  const history = input.tasks
    .flatMap((t) => [
      { at: t.createdAt, what: `${taskKindTitle[t.kind]} on ${t.accountLabel}: sent to ${t.recipients.map((r) => r.name).join(', ')}` },
      ...(t.escalatedAt ? [{ at: t.escalatedAt, what: `${taskKindTitle[t.kind]} on ${t.accountLabel}: escalated to ${t.escalateTo?.name ?? '?'}` }] : []),
      ...t.reveals.map((r) => ({ at: r.at, what: `New password for ${t.accountLabel} revealed to ${r.name}` })),
      ...(t.doneAt
        ? [
            {
              at: t.doneAt,
              what: `${taskKindTitle[t.kind]} on ${t.accountLabel}: done by ${t.doneByName ?? '?'}${t.appointed ? ` (appointed ${t.appointed.name})` : ''}`,
            },
          ]
        : []),
      ...(t.expiredAt ? [{ at: t.expiredAt, what: `${taskKindTitle[t.kind]} on ${t.accountLabel}: expired` }] : []),
    ])
    .concat(revocations)
    .sort((a, b) => a.at.localeCompare(b.at));
  return page({
    title: `Offboarding ${o.offboardingId}`,
    viewer: input.viewer,
    body: html`${
      failed
        ? html`<div class="banner error" role="alert">${failed} account${failed === 1 ? '' : 's'} could not be offboarded as planned and ${failed === 1 ? 'is' : 'are'} marked FAILED below, with the reason and what DTI must still do by hand. DTI has been told.</div>`
        : ''
    }<div class="card"><h1>Offboarding of ${o.employee.name} ${statusBadge(o.status)}</h1>
      <dl><dt>Employee</dt><dd>${o.employee.name} (${o.employee.id}, ${o.employee.departmentCode})</dd>
      <dt>Separation date</dt><dd>${o.separationDate} (access ends ${formatWhen(o.notBefore)} Mountain)</dd>
      <dt>Recorded</dt><dd>${formatWhen(o.createdAt)}</dd>${o.startedAt ? html`<dt>Started</dt><dd>${formatWhen(o.startedAt)}</dd>` : ''}
      ${o.finishedAt ? html`<dt>Finished</dt><dd>${formatWhen(o.finishedAt)}</dd>` : ''}${o.failure ? html`<dt>Failure</dt><dd>${o.failure}</dd>` : ''}</dl></div>
      <div class="card"><h2>Accounts</h2>${
        o.status === 'SCHEDULED'
          ? html`<p>Waiting for the separation date; nothing has been changed yet.</p>`
          : summaries.length === 0
            ? html`<p>${o.employee.name} held no posting grants.</p>`
            : html`<table><thead><tr><th>Account</th><th>Access</th><th>Shared password</th><th>Admin</th></tr></thead><tbody>${summaries.map(
                (s) =>
                  html`<tr><td>${s.accountLabel}<br><span class="hint">${s.departmentName}</span>${s.failure ? html`<br><strong class="error">${s.failure}</strong>` : ''}</td><td>${s.revoked}</td><td>${s.rotation}</td><td>${s.appointment}</td></tr>`,
              )}</tbody></table>`
      }</div>
      ${history.length ? html`<div class="card"><h2>History</h2><table><thead><tr><th>When (Mountain)</th><th>What</th></tr></thead><tbody>${history.map((h) => html`<tr><td>${formatWhen(h.at)}</td><td>${h.what}</td></tr>`)}</tbody></table></div>` : ''}`,
  });
}

export function offboardingsPage(offboardings: Offboarding[], viewer: Viewer): string {
  return page({
    title: 'Offboardings',
    viewer: viewer,
    body: html`<div class="card"><h1>Offboardings</h1>${
      offboardings.length === 0
        ? html`<p>No separations have been received.</p>`
        : html`<table><thead><tr><th>Employee</th><th>Separation date</th><th>Accounts</th><th>Status</th></tr></thead><tbody>${offboardings.map(
            (o) => html`<tr><td><a href="/offboardings/${o.offboardingId}">${o.employee.name}</a> (${o.employee.id})</td><td>${o.separationDate}</td>
              <td>${o.accountCount ?? '—'}</td><td>${statusBadge(o.status)}</td></tr>`,
          )}</tbody></table>`
    }</div>`,
  });
}
