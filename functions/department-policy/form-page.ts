import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import type { Department } from '#core/policy';
import { maxPolicyTextLength, policiesPath } from '#department-policy/department-policy';
import type { Viewer } from '#site/navigation';

export interface DepartmentPolicyFormOptions {
  viewer: Viewer;
  department: Department;
  /** The version now current, if any: the form says a new approval supersedes it. */
  currentVersion?: string;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The departmental policy form (R): version, what it adds, the full text, and the adopted document's address. */
export function departmentPolicyFormPage(o: DepartmentPolicyFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const bad = (k: string, base: string) => (o.errors?.[k] ? `${base} usa-input--error` : base);
  const field = (k: string, label: string, hint: string, options: { required?: boolean; multiline?: boolean; tall?: boolean; type?: string } = {}) =>
    html`<div class="${group(k)}"><label class="usa-label" for="${k}">${label}${options.required ? requiredMark : ''}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      ${
        options.multiline
          ? html`<textarea class="${bad(k, 'usa-textarea')}" id="${k}" name="${k}" rows="${options.tall ? '20' : '5'}"${options.required ? html` required` : ''} ${invalid(k, true)}>${value(k)}</textarea>`
          : html`<input class="${bad(k, 'usa-input')}" type="${options.type ?? 'text'}" id="${k}" name="${k}" value="${value(k)}"${options.required ? html` required` : ''} ${invalid(k, true)}>`
      }</div>`;
  const name = o.department.name;
  return page({
    title: `Submit the ${name} social media policy`,
    viewer: o.viewer,
    path: '/accounts',
    body: html`<h1>Submit the ${name} social media policy</h1>
    ${errorSummary(o.errors)}
    <p class="usa-intro">Policy R: a department may have its own social media policy with additional rules. Its staff must still follow the City’s social media policy, and the department’s policy must be approved by the Communications Director.</p>
    ${facts([
      ['Department', name],
      ['Current approved version', o.currentVersion ?? 'None yet'],
    ])}
    ${alert(
      'info',
      `The Communications Director (or designee) decides by email. Once approved, this version is kept unchangeable on record with the SHA-256 of its text and becomes the department’s current policy${o.currentVersion ? `, superseding version ${o.currentVersion} (which stays on record)` : ''}.`,
      { slim: true },
    )}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="${policiesPath(o.department.code)}" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      ${field('version', 'Version', 'How the department numbers this version: 1 to 20 letters, digits, dots, dashes or underscores, e.g. 2027.1.', { required: true })}
      ${field(
        'additions',
        'What it adds to the City policy',
        'The additional rules and regulations, in short: 10 to 4000 characters. The Communications Director reads this first.',
        {
          required: true,
          multiline: true,
        },
      )}
      ${field(
        'text',
        'Policy text',
        `The policy’s full text, as adopted, in plain text: at least 20 and at most ${maxPolicyTextLength} characters. What is kept on record is exactly this text (line breaks kept).`,
        { required: true, multiline: true, tall: true },
      )}
      ${field('documentUrl', 'Adopted document', 'Optional: the address of the adopted document (https://…).', { type: 'url' })}
      <button class="usa-button" type="submit">Ask the Communications Director</button>
      <a class="usa-button usa-button--outline" href="${policiesPath(o.department.code)}">Back to the department’s policies</a>
    </form>`,
  });
}
