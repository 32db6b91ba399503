import { formatWhen, html, page, type SafeHtml, fieldMarks } from '#core/html';
import { accountLabel } from '#records/moderation';
import { type Person, type Policy, policy } from '#core/policy';
import type { GovernanceRecord } from '#core/records';
import type { Account } from '#core/registry';
import type { Viewer } from '#site/navigation';

/**
 * Pages of the records workflows: the moderation form (K) with its categories from the policy
 * configuration, the correction form (M.b), what was recorded, and the public comment guidelines
 * (L) read from the same configuration as the moderation form.
 */

const formValues = (values: Record<string, unknown> | undefined) => (k: string) => (typeof values?.[k] === 'string' ? (values[k] as string) : '');

function accountFacts(account: Account): SafeHtml {
  return html`<dl><dt>Account</dt><dd>${accountLabel(account)}</dd><dt>Department</dt><dd>${account.departmentName}</dd></dl>`;
}

export interface RecordFormOptions {
  viewer: Viewer;
  account: Account;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The moderation form (K): the category select lists exactly policy.moderation.categories, as /guidelines does. */
export function moderationFormPage(o: RecordFormOptions & { policy?: Policy }): string {
  const p = o.policy ?? policy;
  const value = formValues(o.values);
  // The select is the list of valid categories: under it, the error need not repeat them all.
  const { err, invalid } = fieldMarks(
    o.errors?.category ? { ...o.errors, category: 'choose from the list the part of rule K that the content meets' } : o.errors,
  );
  const chosen = value('category');
  return page({
    title: 'Record a moderation removal',
    viewer: o.viewer,
    body: html`<div class="card"><h1>Record a moderation removal</h1>
    <p class="hint">Policy K: a constituent's post or comment with prohibited content may be removed without notice by the Communications Director or their designee. Nobody approves it and the poster is not told, but it is always recorded (H): what it said, where it was, and which part of K it meets. The same categories are shown to the public at <a href="/guidelines">/guidelines</a> (L).</p>
    ${accountFacts(o.account)}</div>
    <div class="card">${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/moderation" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="category">Category <span class="hint">(rule K)</span></label>
      <select id="category" name="category" ${invalid('category')}><option value="">Choose…</option>${p.moderation.categories.map(
        (c) => html`<option value="${c.id}" ${c.id === chosen ? html`selected` : ''}>K.${c.id} — ${c.label}</option>`,
      )}</select>${err('category')}
      <label for="location">Where it was <span class="hint">(the post or comment URL, or a description of where it appeared)</span></label>
      <textarea id="location" name="location" ${invalid('location')}>${value('location')}</textarea>${err('location')}
      <label for="content">Content as it stood <span class="hint">(copy it exactly, before it is removed)</span></label>
      <textarea id="content" name="content" ${invalid('content')}>${value('content')}</textarea>${err('content')}
      <label for="author">Posted by <span class="hint">(the name shown with it, if any)</span></label>
      <input type="text" id="author" name="author" value="${value('author')}" ${invalid('author')}>${err('author')}
      <label for="justification">Justification <span class="hint">(10–500 characters, viewpoint-neutral: which part of K the content meets and how — not an opinion of the speaker or of their view)</span></label>
      <textarea id="justification" name="justification" ${invalid('justification')}>${value('justification')}</textarea>${err('justification')}
      <button type="submit">Record the removal</button>
    </form></div>`,
  });
}

/** The correction form (M.b): the change identified, before and after, and why. */
export function postEditFormPage(o: RecordFormOptions): string {
  const value = formValues(o.values);
  const { err, invalid } = fieldMarks(o.errors);
  return page({
    title: 'Record a correction',
    viewer: o.viewer,
    body: html`<div class="card"><h1>Record a correction of an earlier post</h1>
    <p class="hint">Policy M.b: correct errors, and if modifying an earlier post, identify the change. No approval is needed, but the change is on the record (H). Deleting, merging or unpublishing a post needs your supervisor's approval instead (M.c).</p>
    ${accountFacts(o.account)}</div>
    <div class="card">${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/edits" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="postRef">Post <span class="hint">(its URL or platform id)</span></label>
      <input type="text" id="postRef" name="postRef" value="${value('postRef')}" ${invalid('postRef')}>${err('postRef')}
      <label for="before">Before <span class="hint">(the post as it stood)</span></label>
      <textarea id="before" name="before" ${invalid('before')}>${value('before')}</textarea>${err('before')}
      <label for="after">After <span class="hint">(the post as it reads now)</span></label>
      <textarea id="after" name="after" ${invalid('after')}>${value('after')}</textarea>${err('after')}
      <label for="why">Why <span class="hint">(the error corrected)</span></label>
      <textarea id="why" name="why" ${invalid('why')}>${value('why')}</textarea>${err('why')}
      <button type="submit">Record the correction</button>
    </form></div>`,
  });
}

function payloadFacts(record: GovernanceRecord): SafeHtml {
  if (record.moderation) {
    const m = record.moderation;
    return html`<dt>Category</dt><dd>K.${m.category} — ${m.categoryLabel}</dd><dt>Where it was</dt><dd>${m.location}</dd>
      <dt>Content as it stood</dt><dd>${m.content}</dd><dt>Posted by</dt><dd>${m.author ?? 'Not shown'}</dd>
      <dt>Justification</dt><dd>${m.justification}</dd>`;
  }
  if (record.edit) {
    const e = record.edit;
    return html`<dt>Post</dt><dd>${e.postRef}</dd><dt>Before</dt><dd>${e.before}</dd><dt>After</dt><dd>${e.after}</dd><dt>Why</dt><dd>${e.why}</dd>`;
  }
  return html``;
}

/** What was recorded, as stored: the record id and checksum a records request (H) can be checked against. */
export function recordedPage(record: GovernanceRecord, viewer: Viewer, repeated = false): string {
  const moderation = record.kind === 'MODERATION';
  const note = moderation
    ? 'The removal is recorded. Nobody was notified: rule K allows removal without notice.'
    : 'The correction is recorded with the change identified (M.b). No approval is needed.';
  return page({
    title: moderation ? 'Moderation removal recorded' : 'Correction recorded',
    viewer: viewer,
    body: html`<div class="card"><h1>${moderation ? 'Moderation removal recorded' : 'Correction recorded'}</h1>
    <div class="banner ok" role="status">${repeated ? 'This form was already sent; this is the record it made. ' : ''}${note}</div>
    <dl><dt>Record</dt><dd>${record.recordId}</dd><dt>Account</dt><dd>${record.accountLabel}</dd><dt>Department</dt><dd>${record.departmentName}</dd>
      <dt>Recorded by</dt><dd>${record.recordedByName}</dd><dt>Recorded (Mountain)</dt><dd>${formatWhen(record.recordedAt)}</dd>
      ${payloadFacts(record)}
      <dt>SHA-256</dt><dd><code style="word-break:break-all">${record.sha256}</code></dd></dl>
    <p class="hint">Records are written once and never changed; the checksum lets anyone reading a records export (H) check that this one was not.</p></div>`,
  });
}

/** The comment guidelines shown to the public (L): rule K's categories, in order, from the policy configuration. */
export function guidelinesPage(p: Policy = policy): string {
  return page({
    title: 'Comment guidelines',
    body: html`<div class="card"><h1>Comment guidelines for City of Albuquerque social media</h1>
    <p>City of Albuquerque social media sites are a way for City departments and the public to communicate. Posts or comments made by constituents or followers containing any of the following content are prohibited, and may be removed without notice by the Communications Director or their designee:</p>
    <ol class="guidelines" style="list-style:none;padding-left:0">${p.moderation.categories.map((c) => html`<li id="k-${c.id}" data-category="${c.id}"><strong>${c.id}.</strong> ${c.label}</li>`)}</ol>
    <p class="hint">City of Albuquerque Social Media Policy (Administrative Instruction 1-19), rules K and L. Removals are kept on record under New Mexico's public records laws (H).</p></div>`,
  });
}

/** The guidelines as data: the same list, for a client that asks for JSON. */
export function guidelinesJson(p: Policy = policy) {
  return {
    rule: 'K',
    intro:
      'Posts or comments made by constituents or followers containing any of the following content are prohibited, and may be removed without notice by the Communications Director or their designee.',
    categories: p.moderation.categories.map((c) => ({ id: c.id, label: c.label })),
  };
}
