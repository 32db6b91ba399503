import { fieldMarks, html, page } from '#core/html';
import type { Person } from '#core/policy';
import { type Account, type Grant, isActive } from '#core/registry';
import { ticked } from '#posting-authority/posting-authority';
import { grantLine } from '#registry/pages';
import type { Viewer } from '#site/navigation';

export interface PostingAuthorityFormOptions {
  viewer: Viewer;
  account: Account;
  /** The account's grants (active ones are listed for the requester to see who already posts). */
  grants: Grant[];
  people: Person[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The posting-authority form (B) for one account: who, which role, the shared credential, and why. */
export function postingAuthorityFormPage(o: PostingAuthorityFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid } = fieldMarks(o.errors);
  const grantee = value('granteeId') || o.viewer.person.id;
  const role = value('role');
  const credential = ticked(v.receivesCredential);
  const current = o.grants.filter((g) => isActive(g) && g.accountId === o.account.accountId);
  const dept = o.account.departmentCode;
  return page({
    title: 'Request posting authority',
    viewer: o.viewer,
    body: html`<div class="card"><h1>Request posting authority</h1>
    <p class="hint">Policy B: the department director authorizes each employee to post before they receive the credentials. You can ask for yourself; an admin of the account can ask for anyone. The director of ${o.account.departmentName} decides by email.</p>
    <dl><dt>Account</dt><dd>${o.account.platformName} ${o.account.handle}</dd><dt>Department</dt><dd>${o.account.departmentName}</dd>
    <dt>Posting authority now</dt><dd>${current.length ? current.map(grantLine) : 'Nobody'}</dd></dl></div>
    <div class="card">${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/authority" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="granteeId">Person <span class="hint">(who is to post)</span></label>
      <select id="granteeId" name="granteeId" ${invalid('granteeId')}>${o.people
        .filter((p) => !p.separatedOn)
        .sort((a, b) => Number(a.departmentCode !== dept) - Number(b.departmentCode !== dept) || a.name.localeCompare(b.name))
        .map(
          (p) => html`<option value="${p.id}" ${p.id === grantee ? html`selected` : ''}>${p.name} — ${p.title ?? ''} (${p.departmentCode})</option>`,
        )}</select>${err('granteeId')}
      <fieldset ${invalid('role')}><legend>Role</legend>
      <label class="check"><input type="radio" name="role" value="POSTER" ${role === 'POSTER' ? html`checked` : ''}> Poster <span class="hint">posts for the account</span></label>
      <label class="check"><input type="radio" name="role" value="ADMIN" ${role === 'ADMIN' ? html`checked` : ''}> Admin <span class="hint">manages the account and posts; may ask for others</span></label>
      </fieldset>${err('role')}
      <label class="check"><input type="checkbox" id="receivesCredential" name="receivesCredential" value="on" ${credential ? html`checked` : ''} ${invalid('receivesCredential')}> Receives the account's shared credential <span class="hint">(DTI keeps it, O.b; it is rotated when they leave, C)</span></label>${err('receivesCredential')}
      <label for="reason">Reason <span class="hint">(what they will post, and why they need to)</span></label>
      <textarea id="reason" name="reason" ${invalid('reason')}>${value('reason')}</textarea>${err('reason')}
      <button type="submit">Ask the director</button>
    </form></div>`,
  });
}
