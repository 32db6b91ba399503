import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import type { Department } from '#core/policy';
import type { Viewer } from '#site/navigation';

export interface PlatformProposalFormOptions {
  viewer: Viewer;
  /** The requester's own department: the proposal is for it. */
  department: Department;
  /** Who decides: the DTI Director, or the designee when the director is the one proposing. */
  deciderName: string;
  /** The day (Albuquerque) the agreement can be read on at the latest. */
  today: string;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** GET /platform-proposals/new: a platform not on DTI's list (O.a), what it is, why, and its usage agreement. */
export function platformProposalFormPage(o: PlatformProposalFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const bad = (k: string, base: string) => (o.errors?.[k] ? `${base} usa-input--error` : base);
  const field = (k: string, label: string, hint: string, options: { required?: boolean; multiline?: boolean; type?: 'text' | 'url' | 'date' } = {}) =>
    html`<div class="${group(k)}"><label class="usa-label" for="${k}">${label}${options.required ? requiredMark : ''}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      ${
        options.multiline
          ? html`<textarea class="${bad(k, 'usa-textarea')}" id="${k}" name="${k}" rows="4"${options.required ? html` required` : ''} ${invalid(k, true)}>${value(k)}</textarea>`
          : html`<input class="${bad(k, 'usa-input')}" type="${options.type ?? 'text'}" id="${k}" name="${k}" value="${value(k)}"${
              options.type === 'date' ? html` max="${o.today}"` : ''
            }${options.required ? html` required` : ''} ${invalid(k, true)}>`
      }</div>`;
  return page({
    title: 'Propose a platform',
    viewer: o.viewer,
    path: '/platforms',
    body: html`<p><a href="/platforms">Back to the approved platforms</a></p>
    <h1>Propose a platform for the approved list</h1>
    ${errorSummary(o.errors)}
    <p class="usa-intro">Policy O.a: DTI keeps the list of social media sites approved for use by City departments and staff. Propose a platform that is not on it; DTI decides.</p>
    ${facts([
      ['For', o.department.name],
      ['Decided by', `${o.deciderName} (DTI)`],
    ])}
    ${alert(
      'info',
      'When DTI approves, the platform joins the list marked incomplete. A new City account can use it once DTI has adopted its user guidelines, account-management standards and branding standards (P).',
      { slim: true },
    )}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="/platform-proposals" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      ${field('name', 'Platform name', 'As people know it, e.g. Threads. At most 80 characters.', { required: true })}
      ${field('siteUrl', 'Site', 'The platform’s address, starting https://.', { required: true, type: 'url' })}
      ${field('description', 'What it is', 'What the platform is and what your department would post there: 10 to 2000 characters.', { required: true, multiline: true })}
      ${field('reason', 'Why your department wants it', 'Who you would reach there that the approved platforms do not: 10 to 2000 characters.', {
        required: true,
        multiline: true,
      })}
      <fieldset class="usa-fieldset"><legend class="usa-legend usa-legend--large">Usage agreement (O.a)</legend>
      ${field('agreementUrl', 'Address', 'Its usage agreement or terms of service, starting https://.', { required: true, type: 'url' })}
      ${field('agreementReadOn', 'Read on', `Optional: the day you read it, YYYY-MM-DD, ${o.today} at the latest.`, { type: 'date' })}
      </fieldset>
      <button class="usa-button" type="submit">Send to DTI</button>
    </form>`,
  });
}
