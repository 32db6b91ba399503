import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, formatDate, html, page } from '#core/html';
import { policy } from '#core/policy';
import type { Account } from '#core/registry';
import { addDays, type ExceptionStandard, exceptionStandards, standardTitle } from '#exception/exception';
import type { Viewer } from '#site/navigation';

export interface ExceptionFormOptions {
  viewer: Viewer;
  account: Account;
  /** Today in the City (YYYY-MM-DD, from the clock): the earliest start, and what the latest end counts from. */
  today: string;
  /** Who decides: the Communications Coordinator, or the designee when the viewer holds the role. */
  deciderName: string;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The exception form (F.d) for one account: which standard of F, why, and from when until when. */
export function exceptionFormPage(o: ExceptionFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const chosen = value('standard');
  const latest = addDays(o.today, policy.exceptions.maxDays);
  const { noticeDaysBeforeEnd } = policy.exceptions;
  const account = `${o.account.platformName} ${o.account.handle}`;
  const accountHref = `/accounts/${encodeURIComponent(o.account.accountId)}`;
  const option = (s: ExceptionStandard) =>
    html`<div class="usa-radio"><input class="usa-radio__input" type="radio" id="standard-${s}" name="standard" value="${s}" ${chosen === s ? html`checked` : ''}><label class="usa-radio__label" for="standard-${s}">${standardTitle(s)}</label></div>`;
  const dateInput = (k: 'startsOn' | 'endsOn', label: string, hint: string, required: boolean) =>
    html`<div class="${group(k)}">
      <label class="usa-label" for="${k}">${label}${required ? requiredMark : ''}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      <input class="usa-input${o.errors?.[k] ? ' usa-input--error' : ''}" type="date" id="${k}" name="${k}" min="${o.today}" max="${latest}" value="${value(k)}" ${required ? html`required` : ''} ${invalid(k, true)}></div>`;
  return page({
    title: 'Ask for an exception',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<nav aria-label="Back"><a class="usa-link" href="${accountHref}">Back to ${account}</a></nav>
    <h1>Ask for an exception</h1>
    ${errorSummary(o.errors, { standard: 'standard-a' })}
    <p class="usa-intro">Policy F: every City social media site complies with (a) Website Responsibility, (b) Purpose and Commitment to Quality and (c) the user standards for appropriate content. F.d: all exceptions are approved by the Communications Coordinator. ${o.deciderName} decides by email.</p>
    ${facts([
      ['Account', account],
      ['Department', o.account.departmentName],
    ])}
    ${alert(
      'info',
      `An approved exception is shown on the account's page and in the annual review. It lasts at most ${policy.exceptions.maxDays} days and lapses by itself on its end date; you and the Communications Coordinator are told ${noticeDaysBeforeEnd} days before.`,
      { slim: true },
    )}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="${accountHref}/exceptions" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <div class="${group('standard')}">
      <fieldset class="usa-fieldset" aria-describedby="standard-hint${o.errors?.standard ? ' standard-error' : ''}"><legend class="usa-legend">Standard of F the account is excepted from${requiredMark}</legend>
      <span class="usa-hint" id="standard-hint">One standard per request.</span>${err('standard')}
      ${exceptionStandards.map(option)}
      </fieldset></div>
      <div class="${group('reason')}">
      <label class="usa-label" for="reason">Reason${requiredMark}</label>
      <span class="usa-hint" id="reason-hint">Why the account cannot meet the standard for this time, and what it does instead: at least 10 characters.</span>${err('reason')}
      <textarea class="usa-textarea${o.errors?.reason ? ' usa-input--error' : ''}" id="reason" name="reason" required ${invalid('reason', true)}>${value('reason')}</textarea></div>
      ${dateInput('startsOn', 'Starts on', `Leave it empty to start today (${formatDate(o.today)}); it cannot be in the past.`, false)}
      ${dateInput('endsOn', 'Ends on', `The day it lapses: after the start, and on or before ${formatDate(latest)} (${policy.exceptions.maxDays} days from today).`, true)}
      <button class="usa-button" type="submit">Ask the Communications Coordinator</button>
      <a class="usa-button usa-button--unstyled" href="${accountHref}">Cancel</a>
    </form>`,
  });
}
