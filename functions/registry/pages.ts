import { html, page, statusBadge } from '#core/html';
import type { Person } from '#core/policy';
import { type Account, type Grant, grantRoles, isActive } from '#core/registry';
import type { Viewer } from '#site/navigation';

/** One line per active grant: who, their role and credential, and who authorized them (B). */
export const grantLine = (g: Grant) =>
  html`${g.personName} <span class="hint">(authorized by ${g.authorizedByName})</span> <span class="role">${g.role.toLowerCase()}${
    g.receivesCredential ? ', shared credential' : ''
  }</span><br>`;

/** The registry of City accounts (O.b): who may post for each (B), and what can be asked or recorded about it. */
export function registryPage(accounts: Account[], grants: Grant[], viewer: Viewer): string {
  const active = (id: string) =>
    grants
      .filter((g) => g.accountId === id && isActive(g))
      .sort((a, b) => grantRoles.indexOf(a.role) - grantRoles.indexOf(b.role) || a.personName.localeCompare(b.personName));
  return page({
    title: 'Registry',
    viewer: viewer,
    body: html`<div class="card"><h1>Registry of City social media accounts</h1>
    <p class="hint">Kept for DTI (O.b). Credentials are never shown here. Posting authority (B) is authorized by the account department's director; a post is removed only with the requester's supervisor's prior approval (M.c), corrections say what changed (M.b), and moderation removals name their rule K category.</p>
    <table><thead><tr><th>Platform</th><th>Handle</th><th>Department</th><th>Admins and posters (posting authority, B)</th><th>Status</th></tr></thead>
    <tbody>${accounts.map(
      (a) => html`<tr><td>${a.platformName}</td><td>${a.handle}</td><td>${a.departmentName}</td>
        <td>${active(a.accountId).map(grantLine)}<a href="/accounts/${encodeURIComponent(a.accountId)}/authority/new">Request posting authority</a>
        <br><a href="/accounts/${encodeURIComponent(a.accountId)}/removals/new">Request a post removal</a>
        · <a href="/accounts/${encodeURIComponent(a.accountId)}/edits/new">Record a correction</a>
        · <a href="/accounts/${encodeURIComponent(a.accountId)}/moderation/new">Record a moderation removal</a></td>
        <td>${statusBadge(a.status)}</td></tr>`,
    )}</tbody></table>
    ${accounts.length === 0 ? html`<p>No accounts yet.</p>` : ''}</div>`,
  });
}
