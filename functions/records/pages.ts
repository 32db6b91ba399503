import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { formatWhen, html, page, type SafeHtml, fieldMarks } from '#core/html';
import { accountLabel } from '#records/moderation';
import { type Policy, policy } from '#core/policy';
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
  return facts([
    ['Account', accountLabel(account)],
    ['Department', account.departmentName],
  ]);
}

/**
 * A form's fields, each a USWDS form group: label (with the required mark), its hint shown before
 * submitting, its error, and the input pointing at both (aria-describedby).
 */
function formFields(values: Record<string, unknown> | undefined, errors: Record<string, string> | undefined) {
  const value = formValues(values);
  const { err, invalid, group } = fieldMarks(errors);
  const bad = (k: string, base: string) => (errors?.[k] ? `${base} usa-input--error` : base);
  return {
    value,
    err,
    invalid,
    group,
    bad,
    field: (k: string, label: string, hint: string, options: { required?: boolean; multiline?: boolean } = {}) =>
      html`<div class="${group(k)}"><label class="usa-label" for="${k}">${label}${options.required ? requiredMark : ''}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      ${
        options.multiline
          ? html`<textarea class="${bad(k, 'usa-textarea')}" id="${k}" name="${k}"${options.required ? html` required` : ''} ${invalid(k, true)}>${value(k)}</textarea>`
          : html`<input class="${bad(k, 'usa-input')}" type="text" id="${k}" name="${k}" value="${value(k)}"${options.required ? html` required` : ''} ${invalid(k, true)}>`
      }</div>`,
  };
}

const requiredNote = html`<p>Fields marked ${requiredMark} are required.</p>`;

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
  // The select is the list of valid categories: under it, the error need not repeat them all.
  const errors = o.errors?.category ? { ...o.errors, category: 'choose from the list the part of rule K that the content meets' } : o.errors;
  const { value, err, invalid, group, bad, field } = formFields(o.values, errors);
  const chosen = value('category');
  return page({
    title: 'Record a moderation removal',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<h1>Record a moderation removal</h1>
    ${errorSummary(errors)}
    <p class="usa-intro">Policy K: a constituent's post or comment with prohibited content may be removed without notice by the Communications Director or their designee. Nobody approves it and the poster is not told, but it is always recorded (H): what it said, where it was, and which part of K it meets. The same categories are shown to the public at <a href="/guidelines">/guidelines</a> (L).</p>
    ${accountFacts(o.account)}
    ${requiredNote}
    <form class="usa-form usa-form--large" method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/moderation" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <div class="${group('category')}"><label class="usa-label" for="category">Category${requiredMark}</label>
      <span class="usa-hint" id="category-hint">The part of rule K the content meets.</span>${err('category')}
      <select class="${bad('category', 'usa-select')}" id="category" name="category" required ${invalid('category', true)}><option value="">- Select -</option>${p.moderation.categories.map(
        (c) => html`<option value="${c.id}" ${c.id === chosen ? html`selected` : ''}>K.${c.id} — ${c.label}</option>`,
      )}</select></div>
      ${field('location', 'Where it was', 'The post or comment URL, or a description of where it appeared.', { required: true, multiline: true })}
      ${field('content', 'Content as it stood', 'Copy it exactly, before it is removed.', { required: true, multiline: true })}
      ${field('author', 'Posted by', 'The name shown with it, if any.')}
      ${field('justification', 'Justification', '10 to 500 characters, viewpoint-neutral: which part of K the content meets and how, not an opinion of the speaker or of their view.', { required: true, multiline: true })}
      <button class="usa-button" type="submit">Record the removal</button>
    </form>`,
  });
}

/** The correction form (M.b): the change identified, before and after, and why. */
export function postEditFormPage(o: RecordFormOptions): string {
  const { field } = formFields(o.values, o.errors);
  return page({
    title: 'Record a correction',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<h1>Record a correction of an earlier post</h1>
    ${errorSummary(o.errors)}
    <p class="usa-intro">Policy M.b: correct errors, and if modifying an earlier post, identify the change. No approval is needed, but the change is on the record (H). Deleting, merging or unpublishing a post needs your supervisor's approval instead (M.c).</p>
    ${accountFacts(o.account)}
    ${requiredNote}
    <form class="usa-form usa-form--large" method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/edits" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      ${field('postRef', 'Post', 'Its URL or platform id.', { required: true })}
      ${field('before', 'Before', 'The post as it stood.', { required: true, multiline: true })}
      ${field('after', 'After', 'The post as it reads now: it must differ from before.', { required: true, multiline: true })}
      ${field('why', 'Why', 'The error corrected, at least 5 characters.', { required: true, multiline: true })}
      <button class="usa-button" type="submit">Record the correction</button>
    </form>`,
  });
}

function payloadFacts(record: GovernanceRecord): (readonly [string, string | SafeHtml])[] {
  if (record.moderation) {
    const m = record.moderation;
    return [
      ['Category', `K.${m.category} — ${m.categoryLabel}`],
      ['Where it was', m.location],
      ['Content as it stood', m.content],
      ['Posted by', m.author ?? 'Not shown'],
      ['Justification', m.justification],
    ];
  }
  if (record.edit) {
    const e = record.edit;
    return [
      ['Post', e.postRef],
      ['Before', e.before],
      ['After', e.after],
      ['Why', e.why],
    ];
  }
  return [];
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
    path: '/accounts',
    body: html`<h1>${moderation ? 'Moderation removal recorded' : 'Correction recorded'}</h1>
    ${alert('success', `${repeated ? 'This form was already sent; this is the record it made. ' : ''}${note}`, { role: 'status' })}
    ${facts([
      ['Record', record.recordId],
      ['Account', record.accountLabel],
      ['Department', record.departmentName],
      ['Recorded by', record.recordedByName],
      ['Recorded (Mountain)', formatWhen(record.recordedAt)],
      ...payloadFacts(record),
      ['SHA-256', html`<code>${record.sha256}</code>`],
    ])}
    <p class="usa-hint">Records are written once and never changed; the checksum lets anyone reading a records export (H) check that this one was not.</p>`,
  });
}

/** The comment guidelines shown to the public (L): rule K's categories, in order, from the policy configuration. */
export function guidelinesPage(p: Policy = policy): string {
  return page({
    title: 'Comment guidelines',
    path: '/guidelines',
    body: html`<div class="card"><h1>Comment guidelines for City of Albuquerque social media</h1>
    <p class="usa-intro">City of Albuquerque social media sites are a way for City departments and the public to communicate.</p>
    <p>Posts or comments made by constituents or followers containing any of the following content are prohibited, and may be removed without notice by the Communications Director or their designee:</p>
    <ol class="guidelines usa-list usa-list--unstyled app-guidelines">${p.moderation.categories.map((c) => html`<li id="k-${c.id}" data-category="${c.id}"><strong>${c.id}.</strong> ${c.label}</li>`)}</ol>
    <p class="app-hint">City of Albuquerque Social Media Policy (Administrative Instruction 1-19), rules K and L. Removals are kept on record under New Mexico's public records laws (H).</p></div>`,
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
