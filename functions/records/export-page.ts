import { html, page } from '#core/html';
import type { Department, Person } from '#core/policy';
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
  const err = (k: string) => (errors[k] ? html`<p class="error" id="${k}-error">${errors[k]}</p>` : '');
  const invalid = (...keys: string[]) => {
    const k = keys.find((key) => errors[key]);
    return k ? html`aria-invalid="true" aria-describedby="${k}-error"` : '';
  };
  // The shared styles size text inputs and selects; a date input gets the same look here.
  const dateStyle = 'padding:.5rem;border:1px solid #aab4c0;border-radius:6px;font:inherit';
  const accounts = [...o.accounts].sort((a, b) => a.departmentName.localeCompare(b.departmentName) || a.handle.localeCompare(b.handle));
  const departments = [...o.departments].sort((a, b) => a.name.localeCompare(b.name));
  return page({
    title: 'Records export',
    viewer: o.viewer,
    body: html`<div class="card"><h1>Records export</h1>
    <p class="hint">Policy H: the City's social media content may be a public record. For a records request, export everything the City holds about one account, or about every account of a department, over a date range: requests and their decisions (who decided, when), preserved post contents, edits, moderation removals, posting authority granted and revoked, and offboarding password changes.</p>
    <p class="hint">You get one zip: <code>export.json</code>, ${sheets.map((s, i) => html`${i ? ', ' : ''}<code>${s.file}</code>`)} and <code>manifest.json</code> with each file's row count and SHA-256 checksum. No password, link or token is ever part of it.</p></div>
    <div class="card">${Object.keys(errors).length ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="get" action="/records/export" novalidate>
      <fieldset ${invalid('scope')}><legend>One account or one department</legend>${err('scope')}
      <label for="accountId">Account</label>
      <select id="accountId" name="accountId" ${invalid('accountId')}><option value="">—</option>${accounts.map(
        (a) =>
          html`<option value="${a.accountId}" ${a.accountId === v.accountId ? html`selected` : ''}>${a.platformName} ${a.handle} (${a.departmentName})</option>`,
      )}</select>${err('accountId')}
      <label for="department">or Department <span class="hint">(every account of the department)</span></label>
      <select id="department" name="department" ${invalid('department')}><option value="">—</option>${departments.map(
        (d) => html`<option value="${d.code}" ${d.code === v.department ? html`selected` : ''}>${d.name}</option>`,
      )}</select>${err('department')}</fieldset>
      <label for="from">From <span class="hint">(first day, Albuquerque time)</span></label>
      <input type="date" id="from" name="from" value="${v.from ?? ''}" style="${dateStyle}" required ${invalid('from')}>${err('from')}
      <label for="to">To <span class="hint">(last day, included; at most ${maxRangeYears} years after the first)</span></label>
      <input type="date" id="to" name="to" value="${v.to ?? ''}" style="${dateStyle}" required ${invalid('to')}>${err('to')}
      <button type="submit">Download the export</button>
    </form></div>`,
  });
}
