import { alert, dataTable, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, formatWhen, html, page, type SafeHtml } from '#core/html';
import { type PersonFieldSpec, type PersonSummary, personField, pickerFieldIds } from '#core/people-picker';
import type { Account } from '#core/registry';
import {
  type CredentialHealth,
  type CredentialRecord,
  type CredentialView,
  credentialStatusText,
  type LoginDetails,
  type AdminChangeReport,
} from '#credentials/credential';
import type { Viewer } from '#site/navigation';

/*
 * The account's credential page (O.b, O.c) and DTI's list of accounts the City could not act on at
 * once. A password appears only in the response to a deliberate POST: the view by DTI or the
 * Communications Coordinator (with its reason, recorded first), or the reveal of a password just
 * generated for the admin who asked for it. Nothing here is cached (every response is no-store).
 */

export const credentialHref = (accountId: string) => `/accounts/${encodeURIComponent(accountId)}/credential`;
const label = (a: Pick<Account, 'platformName' | 'handle'>) => `${a.platformName} ${a.handle}`;

export const adminPersonField: PersonFieldSpec = {
  key: 'person',
  label: 'Person',
  required: true,
  hint: 'Who was added or removed as an admin on the platform: their City email address or name.',
};

export interface CredentialPageView {
  viewer: Viewer;
  account: Account & { retiredAt?: string };
  credential?: CredentialRecord;
  health: CredentialHealth;
  views: CredentialView[];
  reports: AdminChangeReport[];
  mayView: boolean;
  mayManage: boolean;
  /** A view's answer: the login and its password, shown once. */
  revealed?: { login?: LoginDetails; password: string };
  /** A password generated for this admin, to set on the platform before confirming. */
  generated?: string;
  /** Which form the errors are for. */
  form?: 'view' | 'record' | 'confirm' | 'change' | 'admin';
  errors?: Record<string, string>;
  values?: Record<string, unknown>;
  choices?: Record<string, PersonSummary[]>;
  notice?: string;
}

const whoWhen = (p: { name: string } | undefined, at: string | undefined) => (p && at ? `${p.name}, ${formatWhen(at)}` : '—');

function healthFacts(v: CredentialPageView): SafeHtml {
  const c = v.credential;
  const h = v.health;
  return facts([
    ['Credential', credentialStatusText[c?.status ?? 'NOT_ON_FILE']],
    ['Confirmed', whoWhen(c?.confirmedBy, c?.confirmedAt)],
    ['Password age', h.ageDays === undefined ? '—' : `${h.ageDays} day${h.ageDays === 1 ? '' : 's'}`],
    ['Two-factor sign-in', h.twoFactor],
    ['Current City employees holding it', String(h.peopleWithAccess)],
    ...(c?.pendingVersionId ? ([['Waiting for confirmation', whoWhen(c.pendingBy, c.pendingSince)]] as [string, string][]) : []),
    ...(c?.status === 'RETIRED'
      ? ([['Retired', `${formatWhen(c.retiredAt)}; kept until ${c.deleteAfter?.slice(0, 10) ?? '—'}, then scheduled for deletion`]] as [string, string][])
      : []),
  ]);
}

function healthAlert(h: CredentialHealth, retired: boolean): SafeHtml {
  if (retired) return alert('info', 'This account is retired: its credential is kept on record and can no longer be viewed or changed.', { role: 'status' });
  if (h.problems.length === 0)
    return alert('success', 'The City can act on this account at once (O.c): its credential is on file, confirmed and current.', { role: 'status' });
  return html`<div class="usa-alert usa-alert--warning"><div class="usa-alert__body"><h2 class="usa-alert__heading">The City could not act on this account at once (O.c)</h2>
    <ul class="usa-list">${h.problems.map((p) => html`<li>${p}</li>`)}</ul></div></div>`;
}

function revealedCard(r: NonNullable<CredentialPageView['revealed']>, accountName: string): SafeHtml {
  return html`<div class="card" id="revealed"><h2>The login of ${accountName}</h2>
    ${facts([
      ['Username', r.login?.username ?? 'not recorded'],
      ['Password', html`<span class="secret" id="credential-password">${r.password}</span>`],
      ['Recovery contact', r.login?.recoveryContact ?? 'not recorded'],
      ['Two-factor sign-in', r.login ? (r.login.twoFactor ? `on, held by ${r.login.twoFactorHolder ?? '?'}` : 'off') : 'not recorded'],
    ])}
    <p class="usa-hint">Shown to you now only. Your view is recorded with its reason and the account's admins are told. Do not email or message it.</p></div>`;
}

function input(k: string, text: string, type: string, v: CredentialPageView, hint?: string): SafeHtml {
  const m = fieldMarks(v.errors);
  const value = type === 'password' ? '' : String(v.values?.[k] ?? '');
  return html`<div class="${m.group(k)}"><label class="usa-label" for="${k}">${text}${requiredMark}</label>${hint ? html`<span class="usa-hint" id="${k}-hint">${hint}</span>` : ''}${m.err(k)}
    <input class="usa-input${v.errors?.[k] ? ' usa-input--error' : ''}" id="${k}" name="${k}" type="${type}" autocomplete="${type === 'password' ? 'new-password' : 'off'}" value="${value}" ${m.invalid(k, Boolean(hint))}></div>`;
}

function radios(k: string, legend: string, options: [string, string][], v: CredentialPageView): SafeHtml {
  const m = fieldMarks(v.errors);
  return html`<fieldset class="usa-fieldset ${m.group(k)}" id="${k}"><legend class="usa-legend">${legend}${requiredMark}</legend>${m.err(k)}
    ${options.map(
      ([value, text], i) =>
        html`<div class="usa-radio"><input class="usa-radio__input" id="${k}-${i}" type="radio" name="${k}" value="${value}"${v.values?.[k] === value ? ' checked' : ''} ${m.invalid(k)}><label class="usa-radio__label" for="${k}-${i}">${text}</label></div>`,
    )}</fieldset>`;
}

/**
 * One of the page's forms, naming its action. Each posts to the page itself, without a fragment:
 * Chromium clears focus on scrolling to a fragment whose element cannot take focus (the form's
 * heading), which would take it from the error summary of the page that comes back.
 */
const form = (href: string, action: string, body: SafeHtml, button: string, secondary = false) =>
  html`<form method="post" action="${href}" class="usa-form usa-form--large"><input type="hidden" name="action" value="${action}">${body}<button type="submit" class="usa-button${secondary ? ' usa-button--outline' : ''}">${button}</button></form>`;

function manageForms(v: CredentialPageView): SafeHtml {
  const href = credentialHref(v.account.accountId);
  const c = v.credential;
  const status = c?.status ?? 'NOT_ON_FILE';
  const confirm = c?.pendingVersionId
    ? html`<h2 id="confirm">Confirm it works</h2><p>Sign in to ${label(v.account)} with the ${status === 'CONFIRMED' ? 'new password' : 'recorded login'}, then confirm. Until then it is not the account's current credential.</p>
      ${form(
        href,
        'confirm',
        html`<input type="hidden" name="versionId" value="${c.pendingVersionId}"><div class="${fieldMarks(v.errors).group('signedIn')}">${fieldMarks(v.errors).err('signedIn')}<div class="usa-checkbox"><input class="usa-checkbox__input" id="signedIn" type="checkbox" name="signedIn" value="yes" ${fieldMarks(v.errors).invalid('signedIn')}><label class="usa-checkbox__label" for="signedIn">I signed in to ${label(v.account)} with it</label></div></div>`,
        'Confirm',
      )}`
    : '';
  const record =
    status !== 'CONFIRMED'
      ? html`<h2 id="record">Record the login</h2><p>DTI keeps every City account's login (O.b). Set the account up on the platform first.</p>${form(
          href,
          'record',
          html`${input('username', 'Username or email address it signs in with', 'text', v)}${input('password', 'Password', 'password', v)}${input('passwordAgain', 'The password again', 'password', v)}
          ${input('recoveryContact', 'Recovery email address or phone number', 'text', v)}${radios(
            'twoFactor',
            'Is two-factor sign-in on?',
            [
              ['yes', 'Yes'],
              ['no', 'No'],
            ],
            v,
          )}
          ${input('twoFactorHolder', 'Who holds the second factor', 'text', v, 'A person, or a shared City phone or mailbox. Needed when two-factor is on.')}`,
          'Record the login',
        )}`
      : html`<h2 id="change">Record a password change</h2><p>DTI and the Communications Coordinator are told of every change (O.b).</p>${form(
          href,
          'change',
          html`${radios(
            'mode',
            'Which password?',
            [
              ['generate', 'Generate a new one for me (shown once, to you)'],
              ['own', 'I set one on the platform myself'],
            ],
            v,
          )}
          <p class="usa-hint">For your own password only:</p>${input('password', 'New password', 'password', v)}${input('passwordAgain', 'The new password again', 'password', v)}`,
          'Record the change',
        )}`;
  const admin = html`<h2 id="admin">Report an admin change on the platform</h2><p>Someone added or removed as an admin on ${label(v.account)} itself. DTI and the Communications Coordinator are told; the registry's grants are checked against it.</p>${form(
    href,
    'admin',
    html`${radios(
      'change',
      'What changed?',
      [
        ['ADDED', 'Added as an admin'],
        ['REMOVED', 'Removed as an admin'],
      ],
      v,
    )}${personField({ field: adminPersonField, value: String(v.values?.person ?? ''), ...(v.form === 'admin' && v.errors ? { errors: v.errors } : {}), ...(v.choices?.person ? { choices: v.choices.person } : {}) })}`,
    'Report the change',
    true,
  )}`;
  return html`${v.generated ? html`<div class="card" id="generated"><h2>Your new password</h2><p class="secret" id="new-password">${v.generated}</p><p class="usa-hint">Set it on ${label(v.account)} now, then confirm below. It is shown to you once.</p></div>` : ''}${confirm}${v.generated ? '' : record}${admin}`;
}

function historyTables(v: CredentialPageView): SafeHtml {
  const views = v.views.length
    ? dataTable({ caption: 'Views of the login', headers: ['When', 'By', 'Reason'], rows: v.views.map((w) => [formatWhen(w.at), w.by.name, w.reason]) })
    : html`<p>Nobody has viewed the login.</p>`;
  const reports = v.reports.length
    ? dataTable({
        caption: 'Admin changes reported',
        headers: ['When', 'Change', 'Person', 'Reported by', 'Grants'],
        rows: v.reports.map((r) => [formatWhen(r.at), r.change === 'ADDED' ? 'added' : 'removed', r.person.name, r.reportedBy.name, r.reconciliation]),
      })
    : '';
  return html`<h2>On the record</h2>${views}${reports}`;
}

export function credentialPage(v: CredentialPageView): string {
  const name = label(v.account);
  const retired = v.account.status === 'RETIRED' || v.credential?.status === 'RETIRED';
  const viewForm =
    v.mayView && !retired && v.credential?.currentVersionId && !v.revealed
      ? html`<h2 id="view">View the login</h2><p>Each view is recorded with its reason, and the account's admins are told (O.b).</p>${form(
          credentialHref(v.account.accountId),
          'view',
          html`<div class="${fieldMarks(v.errors).group('reason')}"><label class="usa-label" for="reason">Why do you need it?${requiredMark}</label>${fieldMarks(v.errors).err('reason')}<textarea class="usa-textarea" id="reason" name="reason" maxlength="500" ${fieldMarks(v.errors).invalid('reason')}>${String(v.values?.reason ?? '')}</textarea></div>`,
          'View the login',
        )}`
      : '';
  return page({
    title: `Credential: ${name}`,
    viewer: v.viewer,
    body: html`<div class="card"><p><a class="usa-link" href="/accounts/${encodeURIComponent(v.account.accountId)}">${name}</a></p><h1>Credential: ${name}</h1>
      ${errorSummary(v.errors, v.form === 'admin' ? pickerFieldIds(v.choices) : v.form === 'view' ? {} : { twoFactor: 'twoFactor-0', mode: 'mode-0', change: 'change-0' })}
      ${v.notice ? alert('success', v.notice, { role: 'status' }) : ''}
      ${healthAlert(v.health, retired)}${healthFacts(v)}</div>
      ${v.revealed ? revealedCard(v.revealed, name) : ''}
      ${viewForm || (v.mayManage && !retired) ? html`<div class="card">${viewForm}${v.mayManage && !retired ? manageForms(v) : ''}</div>` : ''}
      <div class="card">${historyTables(v)}</div>`,
  });
}

/** DTI's and the Coordinator's list: every active account the City could not act on at once, then the count of those it can. */
export function credentialsOverviewPage(v: { viewer: Viewer; rows: { account: Account; health: CredentialHealth }[] }): string {
  const failing = v.rows.filter((r) => r.health.problems.length > 0);
  const table = failing.length
    ? dataTable({
        caption: 'Accounts that fail a check',
        headers: ['Account', 'Department', 'What fails'],
        rows: failing.map((r) => [
          html`<a class="usa-link" href="${credentialHref(r.account.accountId)}">${label(r.account)}</a>`,
          r.account.departmentName,
          html`${r.health.problems.map((p) => html`${p}<br>`)}`,
        ]),
      })
    : alert('success', 'Every active account passes: credential on file and confirmed, current, and held by enough current employees.', { role: 'status' });
  return page({
    title: 'Credentials on file',
    viewer: v.viewer,
    body: html`<div class="card"><h1>Credentials on file</h1><p class="usa-intro">Can the City act on each account at once (O.c)? ${failing.length} of ${v.rows.length} active account${v.rows.length === 1 ? '' : 's'} fail${failing.length === 1 ? 's' : ''} a check.</p>${table}</div>`,
  });
}
