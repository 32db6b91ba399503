import { alert, dataTable, facts } from '#core/components';
import { formatDate, formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
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
  if (task.kind === 'CAPTURE') {
    return html`<p><strong>${task.accountLabel}</strong> (${task.departmentName}) is approved and you are its admin. DTI keeps the login of every City account (policy O.b), so the City can act on it at once (O.c).</p>
      <ol class="usa-list"><li>Set the account up on the platform.</li><li>Record its login on the account's credential page: username, password, recovery contact, two-factor.</li><li>Sign in with it, then confirm there. That settles this task.</li></ol>`;
  }
  return task.kind === 'ROTATE'
    ? html`<p>${task.employeeName} has separated from the City and could know the shared password of <strong>${task.accountLabel}</strong> (${task.departmentName}). Policy C: the password must change. A new one has been generated and stored in the City's credential vault.</p>
      <ol class="usa-list"><li>Press <em>Show the new password</em> (each reveal is recorded).</li><li>Sign in to the platform and set it as the account's password.</li><li>Come back here and confirm.</li></ol>`
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
      body = alert('error', 'This link is not valid. Open it again from the email you received.', { role: 'alert' });
      break;
    case 'wrong-person':
      body = alert('warning', `This link was sent to ${state.recipientName}. Only they can use it: sign in as ${state.recipientName}, or ask them to act.`, {
        role: 'alert',
      });
      break;
    case 'done':
      body = alert(
        'success',
        `Done: ${task.kind === 'APPOINT' ? `${task.appointed?.name ?? 'a new admin'} was appointed` : task.kind === 'CAPTURE' ? 'the login was recorded and confirmed' : 'the new password was confirmed'} by ${state.byName} on ${formatWhen(state.at)}. Nothing more is needed.`,
        { role: 'status' },
      );
      break;
    case 'superseded':
      body = alert('info', `This link no longer works: the task was passed to ${state.to} because it was not done in time.`, { role: 'status' });
      break;
    case 'expired':
      body = alert(
        'warning',
        task.kind === 'CAPTURE'
          ? 'This task expired without being done. DTI lists the account as having no credential on file until its login is recorded.'
          : 'This task expired without being done. It is reported to DTI in the offboarding summary.',
        { role: 'status' },
      );
      break;
    case 'open':
      body =
        task.kind === 'CAPTURE'
          ? html`<a class="usa-button" href="/accounts/${encodeURIComponent(task.accountId)}/credential">Record the login</a>`
          : task.kind === 'ROTATE'
            ? rotationForm(input)
            : appointmentForm(input);
      break;
  }
  return page({
    title: `${taskKindTitle[task.kind]}: ${task.accountLabel}`,
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
  const error = input.errors ? Object.values(input.errors).join(' ') : '';
  const errorId = 'task-error';
  const revealed = Boolean(input.password) || input.task.reveals.some((r) => r.personId === input.viewer.person.id);
  const revealForm = html`<form method="post" action="${action}">${secret}<input type="hidden" name="action" value="reveal">
      ${revealed ? '' : html`<p>The password is shown only after you ask for it, and only to you.</p>`}
      <button type="submit" class="usa-button${revealed ? ' usa-button--outline' : ''}">${revealed ? 'Show the new password again' : 'Show the new password'}</button></form>`;
  if (!revealed) return html`${error ? alert('error', error, { role: 'alert' }) : ''}${revealForm}`;
  return html`${
    input.password
      ? html`<p>The new password for ${input.task.accountLabel}:</p><p class="secret" id="new-password">${input.password}</p>
    <p class="usa-hint">Set it on the platform now. Do not email or message it; anyone else who needs it gets it from the vault through DTI.</p>`
      : revealForm
  }
    <form method="post" action="${action}">${secret}<input type="hidden" name="action" value="confirm">
      <div class="usa-form-group${error ? ' usa-form-group--error' : ''}">
      ${error ? html`<span class="usa-error-message" id="${errorId}" role="alert">${error}</span>` : ''}
      <div class="usa-checkbox"><input class="usa-checkbox__input" id="setOnPlatform" type="checkbox" name="setOnPlatform" value="yes"${
        error ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''
      }><label class="usa-checkbox__label" for="setOnPlatform">I have set this password on ${input.task.accountLabel}</label></div></div>
      <button type="submit" class="usa-button">Confirm the password is changed</button></form>`;
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
    viewer,
    body: html`<div class="card"><h1>Thank you, ${viewer.person.name}</h1>${alert('success', what, { role: 'status' })}
      <p>It is on the offboarding record, and DTI will see it in the summary. <a class="usa-link" href="/offboardings/${task.offboardingId}">Open the offboarding record</a></p></div>`,
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
  const when = (at: string) => html`<time datetime="${at}">${formatWhen(at)}</time>`;
  const rows: [string, SafeHtml | string][] = [
    ['Employee', `${o.employee.name} (${o.employee.id}, ${o.employee.departmentCode})`],
    ['Separation date', html`${formatDate(o.separationDate)} (access ends ${when(o.notBefore)})`],
    ['Recorded', when(o.createdAt)],
    ...(o.startedAt ? [['Started', when(o.startedAt)] as [string, SafeHtml]] : []),
    ...(o.finishedAt ? [['Finished', when(o.finishedAt)] as [string, SafeHtml]] : []),
    ...(o.failure ? [['Failure', o.failure] as [string, string]] : []),
  ];
  const accounts =
    o.status === 'SCHEDULED'
      ? html`<p>Waiting for the separation date; nothing has been changed yet.</p>`
      : summaries.length === 0
        ? html`<p>${o.employee.name} held no posting grants.</p>`
        : dataTable({
            caption: `Each account ${o.employee.name} could post to, and what offboarding has done on it`,
            captionHidden: true,
            headers: ['Account', 'Access', 'Shared password', 'Admin'],
            rows: summaries.map((s) => [
              html`${s.accountLabel}<br><span class="app-hint">${s.departmentName}</span>${s.failure ? html`<br><strong class="text-secondary-dark">${s.failure}</strong>` : ''}`,
              s.revoked,
              s.rotation,
              s.appointment,
            ]),
          });
  return page({
    title: `Offboarding of ${o.employee.name}`,
    viewer: input.viewer,
    path: '/offboardings',
    body: html`${
      failed
        ? alert(
            'error',
            `${failed} account${failed === 1 ? '' : 's'} could not be offboarded as planned and ${failed === 1 ? 'is' : 'are'} marked FAILED below, with the reason and what DTI must still do by hand. DTI has been told.`,
            { role: 'alert' },
          )
        : ''
    }<div class="card"><h1>Offboarding of ${o.employee.name} ${statusBadge(o.status)}</h1>
      <p>Offboarding ${o.offboardingId}.</p>
      ${facts(rows)}</div>
      <div class="card"><h2>Accounts</h2>${accounts}</div>
      ${
        history.length
          ? html`<div class="card"><h2>History</h2>${dataTable({
              caption: 'What happened in this offboarding, oldest first (Mountain time)',
              captionHidden: true,
              headers: ['When', 'What'],
              rows: history.map((h) => [when(h.at), h.what]),
            })}</div>`
          : ''
      }`,
  });
}

export function offboardingsPage(offboardings: Offboarding[], viewer: Viewer): string {
  return page({
    title: 'Offboardings',
    viewer,
    path: '/offboardings',
    body: html`<div class="card"><h1>Offboardings</h1>${
      offboardings.length === 0
        ? html`<p>No separations have been received.</p>`
        : dataTable({
            caption: 'Separations received from HR',
            captionHidden: true,
            headers: ['Employee', 'Separation date', 'Accounts', 'Status'],
            rows: offboardings.map((o) => [
              html`<a class="usa-link" href="/offboardings/${o.offboardingId}">${o.employee.name}</a> (${o.employee.id})`,
              formatDate(o.separationDate),
              o.accountCount === undefined ? '—' : String(o.accountCount),
              statusBadge(o.status),
            ]),
          })
    }</div>`,
  });
}
