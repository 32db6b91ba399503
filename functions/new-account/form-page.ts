import { alert, errorSummary, requiredMark } from '#core/components';
import { fieldMarks, html, page, type SafeHtml } from '#core/html';
import { type PersonFieldSpec, type PersonSummary, personField, pickerFieldIds } from '#core/people-picker';
import { type Department, type Policy, policy } from '#core/policy';
import type { Viewer } from '#site/navigation';

/** What the New Social Media form (D.c) shows: the choices, and on a second try what was entered and what to fix. */
export interface NewAccountFormOptions {
  viewer: Viewer;
  departments: Department[];
  platforms: { id: string; name: string }[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  /** For an admin field whose text was not an exact email: the people it may mean. */
  choices?: Record<string, PersonSummary[]>;
  policy?: Policy;
}

/**
 * The proposed admins, as person fields (people-picker.ts). Policy B needs at least one, who
 * receives posting authority when the director approves; the form offers three (a JSON client may
 * name up to ten by id).
 */
export const adminFields: readonly PersonFieldSpec[] = [
  { key: 'admin1', label: 'First administrator', required: true },
  { key: 'admin2', label: 'Second administrator', required: false },
  { key: 'admin3', label: 'Third administrator', required: false },
];

/** The form's rules, shown before anything is submitted. They are the rules new-account.ts checks. */
const hints = {
  departmentCode: 'The department the account speaks for. Its director decides first.',
  platformId: html`Only platforms on <a class="usa-link" href="/platforms">DTI’s approved list</a> (O.a). One is offered once DTI has adopted its P documents. Not there? <a class="usa-link" href="/platform-proposals/new">Propose a platform</a>.`,
  proposedHandle: '2 to 50 letters, digits, dots, dashes or underscores, optionally after @, for example @ABQParks.',
  purpose: 'Purpose and strategy (D.a), at least 20 characters.',
  audience: 'Who the account is for, at least 5 characters.',
  riskAssessment: 'What could go wrong and how you will monitor and respond (D.a), at least 20 characters.',
  checklist: 'Every item is needed for an official City site (E).',
} satisfies Record<string, string | SafeHtml>;

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : String(v).split(','));

export function newAccountFormPage(o: NewAccountFormOptions): string {
  const p = o.policy ?? policy;
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const bad = (k: string, base: string) => (o.errors?.[k] ? `${base} usa-input--error` : base);
  const hint = (k: keyof typeof hints) => html`<span class="usa-hint" id="${k}-hint">${hints[k]}</span>`;
  const dept = value('departmentCode') || o.viewer.person.departmentCode;
  const checked = asList(v.checklist);
  const checklist = p.newAccountApproval.officialSiteChecklist;
  const fieldIds = { checklist: 'checklist-0', ...pickerFieldIds(o.choices) };
  return page({
    title: 'New social media account',
    viewer: o.viewer,
    path: '/requests/new',
    body: html`<h1>New Social Media form</h1>
    ${errorSummary(o.errors, fieldIds)}
    <p class="usa-intro">Policy D: a new City account needs a strategy and a risk assessment approved by your Department Director and then the Communications Director (APD: the APD Director of Communications).</p>
    ${alert('info', 'When you submit, you get a receipt by email. When the request is decided, you get an email with the outcome.', { slim: true })}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="/requests" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <div class="${group('departmentCode')}">
      <label class="usa-label" for="departmentCode">Department${requiredMark}</label>${hint('departmentCode')}${err('departmentCode')}
      <select class="${bad('departmentCode', 'usa-select')}" id="departmentCode" name="departmentCode" required ${invalid('departmentCode', true)}>${o.departments.map(
        (d) => html`<option value="${d.code}" ${d.code === dept ? html`selected` : ''}>${d.name}</option>`,
      )}</select></div>
      <div class="${group('platformId')}">
      <label class="usa-label" for="platformId">Platform${requiredMark}</label>${hint('platformId')}${err('platformId')}
      <select class="${bad('platformId', 'usa-select')}" id="platformId" name="platformId" required ${invalid('platformId', true)}><option value="">- Select -</option>${o.platforms.map(
        (pl) => html`<option value="${pl.id}" ${pl.id === value('platformId') ? html`selected` : ''}>${pl.name}</option>`,
      )}</select></div>
      <div class="${group('proposedHandle')}">
      <label class="usa-label" for="proposedHandle">Proposed handle${requiredMark}</label>${hint('proposedHandle')}${err('proposedHandle')}
      <input class="${bad('proposedHandle', 'usa-input')}" type="text" id="proposedHandle" name="proposedHandle" value="${value('proposedHandle')}" autocomplete="off" spellcheck="false" required ${invalid('proposedHandle', true)}></div>
      <div class="${group('purpose')}">
      <label class="usa-label" for="purpose">Purpose and strategy${requiredMark}</label>${hint('purpose')}${err('purpose')}
      <textarea class="${bad('purpose', 'usa-textarea')}" id="purpose" name="purpose" required ${invalid('purpose', true)}>${value('purpose')}</textarea></div>
      <div class="${group('audience')}">
      <label class="usa-label" for="audience">Audience${requiredMark}</label>${hint('audience')}${err('audience')}
      <textarea class="${bad('audience', 'usa-textarea')}" id="audience" name="audience" required ${invalid('audience', true)}>${value('audience')}</textarea></div>
      <div class="${group('riskAssessment')}">
      <label class="usa-label" for="riskAssessment">Risk assessment${requiredMark}</label>${hint('riskAssessment')}${err('riskAssessment')}
      <textarea class="${bad('riskAssessment', 'usa-textarea')}" id="riskAssessment" name="riskAssessment" required ${invalid('riskAssessment', true)}>${value('riskAssessment')}</textarea></div>
      <fieldset class="usa-fieldset"><legend class="usa-legend usa-legend--large">Proposed administrators</legend>
      <p class="usa-hint">At least one. They receive posting authority when your director approves (B).</p>
      ${adminFields.map((field) => personField({ field, value: value(field.key), errors: o.errors, choices: o.choices?.[field.key] }))}
      </fieldset>
      <div class="${group('checklist')}">
      <fieldset class="usa-fieldset" aria-describedby="checklist-hint${o.errors?.checklist ? ' checklist-error' : ''}"><legend class="usa-legend">Official City site checklist${requiredMark}</legend>${hint('checklist')}${err('checklist')}
      ${checklist.map(
        (c, i) =>
          html`<div class="usa-checkbox"><input class="usa-checkbox__input" type="checkbox" id="checklist-${i}" name="checklist" value="${c.id}" ${checked.includes(c.id) ? html`checked` : ''}><label class="usa-checkbox__label" for="checklist-${i}">${c.label}</label></div>`,
      )}</fieldset></div>
      <button class="usa-button" type="submit">Submit for approval</button>
    </form>`,
  });
}
