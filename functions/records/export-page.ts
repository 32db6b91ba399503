import { alert, errorSummary, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import type { Department } from '#core/policy';
import type { Account } from '#core/registry';
import { maxRangeYears } from '#records/export-query';
import { sheets } from '#records/export-sheets';
import type { Viewer } from '#site/navigation';

export interface ExportFormOptions {
  viewer: Viewer;
  accounts: Account[];
  departments: Department[];
  values: { accountId?: string; department?: string; from?: string; to?: string };
  errors?: Record<string, string>;
}

/**
 * The records export form (H, I): one account or one department, and a date range. GET, so the
 * download is a plain link the City Clerk can bookmark or send on; it changes nothing.
 */
export function exportFormPage(o: ExportFormOptions): string {
  const v = o.values;
  const errors = o.errors ?? {};
  const { err, group } = fieldMarks(errors);
  /** The field points at its hint, and at its own error or the scope's (one account or one department). */
  const described = (k: string, ...shared: string[]) => {
    const error = [k, ...shared].find((key) => errors[key]);
    return error ? html`aria-invalid="true" aria-describedby="${error}-error ${k}-hint"` : html`aria-describedby="${k}-hint"`;
  };
  const bad = (k: string, base: string) => (errors[k] ? `${base} usa-input--error` : base);
  const accounts = [...o.accounts].sort((a, b) => a.departmentName.localeCompare(b.departmentName) || a.handle.localeCompare(b.handle));
  const departments = [...o.departments].sort((a, b) => a.name.localeCompare(b.name));
  return page({
    title: 'Records export',
    viewer: o.viewer,
    path: '/records/export',
    body: html`<h1>Records export</h1>
    ${errorSummary(errors, { scope: 'accountId' })}
    <p class="usa-intro">Policy H: the City's social media content may be a public record. For a records request, export everything the City holds about one account, or about every account of a department, over a date range: requests and their decisions (who decided, when), preserved post contents, edits, moderation removals, posting authority granted and revoked, and offboarding password changes.</p>
    ${alert(
      'info',
      html`You get one zip: <code>export.json</code>, ${sheets.map((s, i) => html`${i ? ', ' : ''}<code>${s.file}</code>`)} and <code>manifest.json</code> with each file's row count and SHA-256 checksum. No password, link or token is ever part of it.`,
      { slim: true },
    )}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="get" action="/records/export" novalidate>
      <div class="${group('scope')}">
      <fieldset class="usa-fieldset"${errors.scope ? html` aria-describedby="scope-error"` : ''}><legend class="usa-legend">One account or one department${requiredMark}</legend>
      <span class="usa-hint" id="scope-hint">Choose an account, or a department for all of its accounts: not both.</span>${err('scope')}
      <div class="${group('accountId')}"><label class="usa-label" for="accountId">Account</label>
      <span class="usa-hint" id="accountId-hint">One account of the registry.</span>${err('accountId')}
      <select class="${bad('accountId', 'usa-select')}" id="accountId" name="accountId" ${described('accountId', 'scope')}><option value="">- Select -</option>${accounts.map(
        (a) =>
          html`<option value="${a.accountId}" ${a.accountId === v.accountId ? html`selected` : ''}>${a.platformName} ${a.handle} (${a.departmentName}${a.status === 'RETIRED' ? ', retired' : ''})</option>`,
      )}</select></div>
      <div class="${group('department')}"><label class="usa-label" for="department">or Department</label>
      <span class="usa-hint" id="department-hint">Every account of the department.</span>${err('department')}
      <select class="${bad('department', 'usa-select')}" id="department" name="department" ${described('department', 'scope')}><option value="">- Select -</option>${departments.map(
        (d) => html`<option value="${d.code}" ${d.code === v.department ? html`selected` : ''}>${d.name}</option>`,
      )}</select></div></fieldset></div>
      <div class="${group('from')}"><label class="usa-label" for="from">From${requiredMark}</label>
      <span class="usa-hint" id="from-hint">The first day, Albuquerque time.</span>${err('from')}
      <input class="${bad('from', 'usa-input')}" type="date" id="from" name="from" value="${v.from ?? ''}" required ${described('from')}></div>
      <div class="${group('to')}"><label class="usa-label" for="to">To${requiredMark}</label>
      <span class="usa-hint" id="to-hint">The last day, included: at most ${maxRangeYears} years after the first.</span>${err('to')}
      <input class="${bad('to', 'usa-input')}" type="date" id="to" name="to" value="${v.to ?? ''}" required ${described('to')}></div>
      <button class="usa-button" type="submit">Download the export</button>
    </form>`,
  });
}
