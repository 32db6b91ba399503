import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import { type Person, type Policy, policy } from '#core/policy';
import type { Account } from '#core/registry';
import type { Viewer } from '#site/navigation';

export interface PostRemovalFormOptions {
  viewer: Viewer;
  account: Account;
  /** The requester's supervisor from the HR directory (who decides), when the directory names one. */
  supervisor?: Person;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  policy?: Policy;
}

/**
 * The removal form (M.c) for one account: which post, what to do with it and why, and the post as
 * it stands, which is preserved as a public record before anything else happens (H).
 */
export function postRemovalFormPage(o: PostRemovalFormOptions): string {
  const p = o.policy ?? policy;
  const v = o.values ?? {};
  const content = v.content && typeof v.content === 'object' ? (v.content as Record<string, unknown>) : {};
  const value = (k: string): string => {
    const raw = k.startsWith('content.') ? (content[k.slice(8)] ?? v[k]) : v[k];
    return Array.isArray(raw) ? raw.map(String).join('\n') : typeof raw === 'string' ? raw : '';
  };
  const { err, invalid, group } = fieldMarks(o.errors);
  const action = value('action');
  const account = `${o.account.platformName} ${o.account.handle}`;
  const decides = o.supervisor
    ? html`Your supervisor in the HR directory, <strong>${o.supervisor.name}</strong>, decides by email; then you remove the post and confirm it.`
    : html`<strong>The HR directory names no supervisor for you</strong>: ask HR to record one before you ask.`;
  const bad = (k: string, base: string) => (o.errors?.[k] ? `${base} usa-input--error` : base);
  /** A labelled text field with its hint (shown before submitting) and its error, tied to it. */
  const field = (k: string, label: string, hint: string, options: { required?: boolean; multiline?: boolean } = {}) =>
    html`<div class="${group(k)}"><label class="usa-label" for="${k}">${label}${options.required ? requiredMark : ''}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      ${
        options.multiline
          ? html`<textarea class="${bad(k, 'usa-textarea')}" id="${k}" name="${k}"${options.required ? html` required` : ''} ${invalid(k, true)}>${value(k)}</textarea>`
          : html`<input class="${bad(k, 'usa-input')}" type="text" id="${k}" name="${k}" value="${value(k)}"${options.required ? html` required` : ''} ${invalid(k, true)}>`
      }</div>`;
  const actions = Object.entries(p.postRemoval.actions) as [string, string][];
  return page({
    title: 'Request a post removal',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<h1>Request a post removal</h1>
    ${errorSummary(o.errors, { action: `action-${actions[0]?.[0] ?? ''}` })}
    <p class="usa-intro">Policy M.c: a City post is deleted, merged or unpublished only with prior approval from a supervisor. Its content may be a public record (H), so what you enter below is preserved, unchangeable, before anything else happens.</p>
    ${alert(o.supervisor ? 'info' : 'warning', decides, { slim: true })}
    ${facts([
      ['Account', account],
      ['Department', o.account.departmentName],
    ])}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/removals" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      ${field('postRef', 'Post', `Its web address (https://…), or its id on ${o.account.platformName}.`, { required: true })}
      <div class="${group('action')}">
      <fieldset class="usa-fieldset"${o.errors?.action ? html` aria-describedby="action-error"` : ''}><legend class="usa-legend">What is to happen to it${requiredMark}</legend>${err('action')}
      ${actions.map(
        ([id, label]) =>
          html`<div class="usa-radio"><input class="usa-radio__input" type="radio" id="action-${id}" name="action" value="${id}" ${id === action ? html`checked` : ''}><label class="usa-radio__label" for="action-${id}">${label}</label></div>`,
      )}</fieldset></div>
      ${field('mergeTargetRef', 'Merged into', 'For a merge only: the web address or id of the post it is merged into.')}
      ${field('reason', 'Reason', 'Your supervisor reads it before deciding: at least 10 characters.', { required: true, multiline: true })}
      <fieldset class="usa-fieldset"><legend class="usa-legend usa-legend--large">The post as it stands now</legend>
      <p class="usa-hint">Preserved as a public record (H), exactly as you enter it.</p>
      ${field('content.text', 'Text', 'Exactly as published; leave it empty for a post with no text.', { multiline: true })}
      ${field('content.author', 'Author', 'As the post shows it.', { required: true })}
      ${field('content.publishedAt', 'Published', 'The date and time, as the platform shows it.', { required: true })}
      ${field('content.mediaLinks', 'Media links', 'Images, video: one web address (https://…) per line, at most 20.', { multiline: true })}
      </fieldset>
      <div class="${group('retentionSchedule')}"><label class="usa-label" for="retentionSchedule">Retention schedule</label>
      <span class="usa-hint" id="retentionSchedule-hint">I: most social media content has none; a press or news release does.</span>${err('retentionSchedule')}
      <select class="${bad('retentionSchedule', 'usa-select')}" id="retentionSchedule" name="retentionSchedule" ${invalid('retentionSchedule', true)}><option value="">None</option>${Object.entries(
        p.records.retentionSchedules,
      ).map(([id, s]) => html`<option value="${id}" ${id === value('retentionSchedule') ? html`selected` : ''}>${s.label}</option>`)}</select></div>
      <button class="usa-button" type="submit">Ask my supervisor</button>
    </form>`,
  });
}
