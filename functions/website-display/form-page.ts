import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import { policy } from '#core/policy';
import type { Account } from '#core/registry';
import type { Standing } from '#core/standing';
import type { Viewer } from '#site/navigation';

export interface WebsiteDisplayFormOptions {
  viewer: Viewer;
  account: Account;
  /** Who decides: DTI's director, or the designee when the director asks. */
  deciderName: string;
  /** The displays in force on the account, so the requester sees where it is shown already. */
  shown: readonly Standing[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The website display form (Q) for one account: which page, which content, how it is moderated, and whether it is an automatic feed. */
export function websiteDisplayFormPage(o: WebsiteDisplayFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const feed = v.automaticFeed === true ? 'yes' : v.automaticFeed === false ? 'no' : value('automaticFeed').toLowerCase();
  const account = `${o.account.platformName} ${o.account.handle}`;
  const accountHref = `/accounts/${encodeURIComponent(o.account.accountId)}`;
  const input = (k: 'webPageUrl' | 'pageTitle', label: string, hint: string, required: boolean, type: 'url' | 'text') =>
    html`<div class="${group(k)}">
      <label class="usa-label" for="${k}">${label}${required ? requiredMark : ''}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      <input class="usa-input${o.errors?.[k] ? ' usa-input--error' : ''}" type="${type}" id="${k}" name="${k}" value="${value(k)}" ${required ? html`required` : ''} ${invalid(k, true)}></div>`;
  const area = (k: 'content' | 'moderation', label: string, hint: string) =>
    html`<div class="${group(k)}">
      <label class="usa-label" for="${k}">${label}${requiredMark}</label>
      <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
      <textarea class="usa-textarea${o.errors?.[k] ? ' usa-input--error' : ''}" id="${k}" name="${k}" required ${invalid(k, true)}>${value(k)}</textarea></div>`;
  const radio = (answer: 'no' | 'yes', label: string, description: string) =>
    html`<div class="usa-radio"><input class="usa-radio__input" type="radio" id="automaticFeed-${answer}" name="automaticFeed" value="${answer}" ${feed === answer ? html`checked` : ''}><label class="usa-radio__label" for="automaticFeed-${answer}">${label}<span class="usa-checkbox__label-description">${description}</span></label></div>`;
  return page({
    title: 'Ask to show it on a City website',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<nav aria-label="Back"><a class="usa-link" href="${accountHref}">Back to ${account}</a></nav>
    <h1>Ask to show it on a City website</h1>
    ${errorSummary(o.errors, { automaticFeed: 'automaticFeed-no' })}
    <p class="usa-intro">Policy Q: “${policy.websiteDisplay.rule}” ${o.deciderName} decides for DTI by email.</p>
    ${facts([
      ['Account', account],
      ['Department', o.account.departmentName],
      [
        'Shown now on',
        o.shown.length
          ? html`<ul class="usa-list usa-list--unstyled">${o.shown.map((s) => html`<li>${s.title.replace(/^Shown on /, '')}</li>`)}</ul>`
          : 'No City web page',
      ],
    ])}
    ${alert('info', 'When you submit, you get a receipt by email. When DTI decides, you get an email with the outcome; an approved display is shown on the account’s page and in the annual review.', { slim: true })}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="${accountHref}/displays" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      ${input('webPageUrl', 'City web page', 'Its full address, starting https://, on a City website (for example https://www.cabq.gov/parks).', true, 'url')}
      ${input('pageTitle', 'Page title', 'The page’s title as visitors see it, if it has one.', false, 'text')}
      ${area('content', 'Content shown', 'Which of the account’s content appears, for example “the latest 3 posts” or “a curated embed of selected posts”: at least 10 characters.')}
      ${area(
        'moderation',
        'How it is moderated',
        'The monitoring protocol: who checks what, how often, how links are screened for harmful technical attacks, and what happens to harmful or inappropriate content: at least 40 characters.',
      )}
      <div class="${group('automaticFeed')}">
      <fieldset class="usa-fieldset" aria-describedby="automaticFeed-hint${o.errors?.automaticFeed ? ' automaticFeed-error' : ''}"><legend class="usa-legend">Is it an automatic feed of uncensored content?${requiredMark}</legend>
      <span class="usa-hint" id="automaticFeed-hint">An automatic feed shows whatever is posted, as it is posted, with nobody checking it first. City websites may not have one (Q).</span>${err('automaticFeed')}
      ${radio('no', 'No', 'someone checks the content and its links before or as it appears')}
      ${radio('yes', 'Yes', 'it shows whatever is posted, unchecked: this cannot be approved')}
      </fieldset></div>
      <button class="usa-button" type="submit">Ask DTI</button>
      <a class="usa-button usa-button--unstyled" href="${accountHref}">Cancel</a>
    </form>`,
  });
}
