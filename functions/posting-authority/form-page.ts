import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import { type PersonFieldSpec, type PersonSummary, personField, pickerFieldIds } from '#core/people-picker';
import { type Account, type Grant, isActive } from '#core/registry';
import { ticked } from '#posting-authority/posting-authority';
import type { Viewer } from '#site/navigation';

export interface PostingAuthorityFormOptions {
  viewer: Viewer;
  account: Account;
  /** The account's grants (active ones are listed for the requester to see who already posts). */
  grants: Grant[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  /** When the person field's text was not an exact email: the people it may mean. */
  choices?: Record<string, PersonSummary[]>;
}

/** One active grant: who, their role and credential, and who authorized them (B). */
const grantLine = (g: Grant) =>
  html`<li>${g.personName} <span class="usa-hint">(authorized by ${g.authorizedByName})</span> ${g.role.toLowerCase()}${g.receivesCredential ? ', shared credential' : ''}</li>`;

/** Who is to post, as a person field (people-picker.ts); the form opens with the requester in it. */
export const granteeField: PersonFieldSpec = {
  key: 'grantee',
  label: 'Person',
  required: true,
  hint: 'Who is to post: their City email address or their name. It starts as you; change it to ask for someone else (admins of the account only).',
};

/** The posting-authority form (B) for one account: who, which role, the shared credential, and why. */
export function postingAuthorityFormPage(o: PostingAuthorityFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const grantee = o.values ? value(granteeField.key) : o.viewer.person.email;
  const role = value('role');
  const credential = ticked(v.receivesCredential);
  const current = o.grants.filter((g) => isActive(g) && g.accountId === o.account.accountId);
  const fieldIds = { role: 'role-poster', ...pickerFieldIds(o.choices) };
  return page({
    title: 'Request posting authority',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<h1>Request posting authority</h1>
    ${errorSummary(o.errors, fieldIds)}
    <p class="usa-intro">Policy B: the department director authorizes each employee to post before they receive the credentials. You can ask for yourself; an admin of the account can ask for anyone. The director of ${o.account.departmentName} decides by email.</p>
    ${facts([
      ['Account', `${o.account.platformName} ${o.account.handle}`],
      ['Department', o.account.departmentName],
      ['Posting authority now', current.length ? html`<ul class="usa-list usa-list--unstyled">${current.map(grantLine)}</ul>` : 'Nobody'],
    ])}
    ${alert('info', 'When you submit, you get a receipt by email. When the director decides, you get an email with the outcome.', { slim: true })}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/authority" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      ${personField({ field: granteeField, value: grantee, errors: o.errors, choices: o.choices?.[granteeField.key] })}
      <div class="${group('role')}">
      <fieldset class="usa-fieldset" aria-describedby="role-hint${o.errors?.role ? ' role-error' : ''}"><legend class="usa-legend">Role${requiredMark}</legend>
      <span class="usa-hint" id="role-hint">An admin manages the account and may ask for others; a poster posts.</span>${err('role')}
      <div class="usa-radio"><input class="usa-radio__input" type="radio" id="role-poster" name="role" value="POSTER" ${role === 'POSTER' ? html`checked` : ''}><label class="usa-radio__label" for="role-poster">Poster<span class="usa-checkbox__label-description">posts for the account</span></label></div>
      <div class="usa-radio"><input class="usa-radio__input" type="radio" id="role-admin" name="role" value="ADMIN" ${role === 'ADMIN' ? html`checked` : ''}><label class="usa-radio__label" for="role-admin">Admin<span class="usa-checkbox__label-description">manages the account and posts; may ask for others</span></label></div>
      </fieldset></div>
      <div class="${group('receivesCredential')}">${err('receivesCredential')}
      <div class="usa-checkbox"><input class="usa-checkbox__input" type="checkbox" id="receivesCredential" name="receivesCredential" value="on" ${credential ? html`checked` : ''} ${invalid('receivesCredential')}><label class="usa-checkbox__label" for="receivesCredential">Receives the account's shared credential<span class="usa-checkbox__label-description">DTI keeps it (O.b); it is rotated when they leave (C)</span></label></div></div>
      <div class="${group('reason')}">
      <label class="usa-label" for="reason">Reason${requiredMark}</label>
      <span class="usa-hint" id="reason-hint">What they will post, and why they need to: at least 10 characters.</span>${err('reason')}
      <textarea class="usa-textarea${o.errors?.reason ? ' usa-input--error' : ''}" id="reason" name="reason" required ${invalid('reason', true)}>${value('reason')}</textarea></div>
      <button class="usa-button" type="submit">Ask the director</button>
    </form>`,
  });
}
