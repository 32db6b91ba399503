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
  const { err, invalid } = fieldMarks(o.errors);
  const action = value('action');
  const account = `${o.account.platformName} ${o.account.handle}`;
  const decides = o.supervisor
    ? html`Your supervisor in the HR directory, <strong>${o.supervisor.name}</strong>, decides by email; then you remove the post and confirm it.`
    : html`<strong>The HR directory names no supervisor for you</strong>: ask HR to record one before you ask.`;
  return page({
    title: 'Request a post removal',
    viewer: o.viewer,
    body: html`<div class="card"><h1>Request a post removal</h1>
    <p class="hint">Policy M.c: a City post is deleted, merged or unpublished only with prior approval from a supervisor. Its content may be a public record (H), so what you enter below is preserved, unchangeable, before anything else happens. ${decides}</p>
    <dl><dt>Account</dt><dd>${account}</dd><dt>Department</dt><dd>${o.account.departmentName}</dd></dl></div>
    <div class="card">${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/removals" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="postRef">Post <span class="hint">(its web address, or its id on ${o.account.platformName})</span></label>
      <input type="text" id="postRef" name="postRef" value="${value('postRef')}" ${invalid('postRef')}>${err('postRef')}
      <fieldset ${invalid('action')}><legend>What is to happen to it</legend>
      ${(Object.entries(p.postRemoval.actions) as [string, string][]).map(
        ([id, label]) => html`<label class="check"><input type="radio" name="action" value="${id}" ${id === action ? html`checked` : ''}> ${label}</label>`,
      )}</fieldset>${err('action')}
      <label for="mergeTargetRef">Merged into <span class="hint">(for a merge only: the post it is merged into)</span></label>
      <input type="text" id="mergeTargetRef" name="mergeTargetRef" value="${value('mergeTargetRef')}" ${invalid('mergeTargetRef')}>${err('mergeTargetRef')}
      <label for="reason">Reason <span class="hint">(your supervisor reads it before deciding)</span></label>
      <textarea id="reason" name="reason" ${invalid('reason')}>${value('reason')}</textarea>${err('reason')}
      <fieldset><legend>The post as it stands now <span class="hint">(preserved as a public record, H)</span></legend>
      <label for="content.text">Text <span class="hint">(exactly as published)</span></label>
      <textarea id="content.text" name="content.text" ${invalid('content.text')}>${value('content.text')}</textarea>${err('content.text')}
      <label for="content.author">Author <span class="hint">(as the post shows it)</span></label>
      <input type="text" id="content.author" name="content.author" value="${value('content.author')}" ${invalid('content.author')}>${err('content.author')}
      <label for="content.publishedAt">Published <span class="hint">(date and time, as the platform shows it)</span></label>
      <input type="text" id="content.publishedAt" name="content.publishedAt" value="${value('content.publishedAt')}" ${invalid('content.publishedAt')}>${err('content.publishedAt')}
      <label for="content.mediaLinks">Media links <span class="hint">(images, video: one web address per line, at most 20)</span></label>
      <textarea id="content.mediaLinks" name="content.mediaLinks" ${invalid('content.mediaLinks')}>${value('content.mediaLinks')}</textarea>${err('content.mediaLinks')}
      </fieldset>
      <label for="retentionSchedule">Retention schedule <span class="hint">(I: most social media content has none; a press or news release does)</span></label>
      <select id="retentionSchedule" name="retentionSchedule" ${invalid('retentionSchedule')}><option value="">None</option>${Object.entries(
        p.records.retentionSchedules,
      ).map(
        ([id, s]) => html`<option value="${id}" ${id === value('retentionSchedule') ? html`selected` : ''}>${s.label}</option>`,
      )}</select>${err('retentionSchedule')}
      <button type="submit">Ask my supervisor</button>
    </form></div>`,
  });
}
