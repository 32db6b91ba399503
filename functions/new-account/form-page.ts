import { fieldMarks, html, page } from '#core/html';
import { type Department, type Person, type Policy, policy } from '#core/policy';
import type { Viewer } from '#site/navigation';

/** What the New Social Media form (D.c) shows: the choices, and on a second try what was entered and what to fix. */
export interface NewAccountFormOptions {
  viewer: Viewer;
  departments: Department[];
  platforms: { id: string; name: string }[];
  people: Person[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  policy?: Policy;
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : String(v).split(','));

export function newAccountFormPage(o: NewAccountFormOptions): string {
  const p = o.policy ?? policy;
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid } = fieldMarks(o.errors);
  const dept = value('departmentCode') || o.viewer.person.departmentCode;
  const admins = asList(v.adminIds);
  const checked = asList(v.checklist);
  return page({
    title: 'New social media account',
    viewer: o.viewer,
    body: html`<div class="card"><h1>New Social Media form</h1>
    <p class="hint">Policy D: a new City account needs a strategy and a risk assessment approved by your Department Director and then the Communications Director (APD: the APD Director of Communications). You will get an email at each decision.</p>
    ${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/requests" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="departmentCode">Department</label>
      <select id="departmentCode" name="departmentCode" ${invalid('departmentCode')}>${o.departments.map(
        (d) => html`<option value="${d.code}" ${d.code === dept ? html`selected` : ''}>${d.name}</option>`,
      )}</select>${err('departmentCode')}
      <label for="platformId">Platform <span class="hint">(approved by DTI, O.a)</span></label>
      <select id="platformId" name="platformId" ${invalid('platformId')}><option value="">Choose…</option>${o.platforms.map(
        (pl) => html`<option value="${pl.id}" ${pl.id === value('platformId') ? html`selected` : ''}>${pl.name}</option>`,
      )}</select>${err('platformId')}
      <label for="proposedHandle">Proposed handle</label>
      <input type="text" id="proposedHandle" name="proposedHandle" value="${value('proposedHandle')}" placeholder="@ABQParks" ${invalid('proposedHandle')}>${err('proposedHandle')}
      <label for="purpose">Purpose and strategy <span class="hint">(D.a)</span></label>
      <textarea id="purpose" name="purpose" ${invalid('purpose')}>${value('purpose')}</textarea>${err('purpose')}
      <label for="audience">Audience</label>
      <textarea id="audience" name="audience" ${invalid('audience')}>${value('audience')}</textarea>${err('audience')}
      <label for="riskAssessment">Risk assessment <span class="hint">(D.a: what could go wrong, and how you will monitor and respond)</span></label>
      <textarea id="riskAssessment" name="riskAssessment" ${invalid('riskAssessment')}>${value('riskAssessment')}</textarea>${err('riskAssessment')}
      <fieldset ${invalid('adminIds')}><legend>Proposed admins <span class="hint">(they receive posting authority when your director approves, B)</span></legend>
      ${[...o.people]
        .sort((a, b) => Number(a.departmentCode !== dept) - Number(b.departmentCode !== dept) || a.name.localeCompare(b.name))
        .map(
          (person) =>
            html`<label class="check"><input type="checkbox" name="adminIds" value="${person.id}" ${admins.includes(person.id) ? html`checked` : ''}> ${person.name} <span class="hint">${person.title ?? ''} · ${person.departmentCode}</span></label>`,
        )}</fieldset>${err('adminIds')}
      <fieldset ${invalid('checklist')}><legend>Official City site checklist (E)</legend>
      ${p.newAccountApproval.officialSiteChecklist.map(
        (c) =>
          html`<label class="check"><input type="checkbox" name="checklist" value="${c.id}" ${checked.includes(c.id) ? html`checked` : ''}> ${c.label}</label>`,
      )}</fieldset>${err('checklist')}
      <button type="submit">Submit for approval</button>
    </form></div>`,
  });
}
