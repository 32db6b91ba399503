import { alert, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, html, page } from '#core/html';
import { policy } from '#core/policy';
import { type Account, type Grant, isActive } from '#core/registry';
import { type ContentPlan, contentPlans, contentPlanWords } from '#retirement/retirement';
import type { Viewer } from '#site/navigation';

export interface RetirementFormOptions {
  viewer: Viewer;
  account: Account;
  /** The account's grants: the active ones are listed, since they all end. */
  grants: Grant[];
  /** Who decides: the department director, or the designee when the viewer is the director. */
  deciderName: string;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

const planHints: Record<ContentPlan, string> = {
  ARCHIVE_THEN_DELETE: 'the account is removed from the platform once its content is archived',
  ARCHIVE_THEN_READ_ONLY: 'the account stays visible on the platform, with nothing new posted, once its content is archived',
};

/** The retirement form for one account: why, and what becomes of its content. */
export function retirementFormPage(o: RetirementFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid, group } = fieldMarks(o.errors);
  const chosen = value('contentPlan');
  const account = `${o.account.platformName} ${o.account.handle}`;
  const accountHref = `/accounts/${encodeURIComponent(o.account.accountId)}`;
  const active = o.grants.filter((g) => isActive(g) && g.accountId === o.account.accountId);
  const option = (plan: ContentPlan) =>
    html`<div class="usa-radio"><input class="usa-radio__input" type="radio" id="contentPlan-${plan}" name="contentPlan" value="${plan}" ${
      chosen === plan ? html`checked` : ''
    }><label class="usa-radio__label" for="contentPlan-${plan}">${contentPlanWords[plan]}<span class="usa-checkbox__label-description">${planHints[plan]}</span></label></div>`;
  return page({
    title: 'Retire this account',
    viewer: o.viewer,
    path: '/accounts',
    body: html`<nav aria-label="Back"><a class="usa-link" href="${accountHref}">Back to ${account}</a></nav>
    <h1>Retire ${account}</h1>
    ${errorSummary(o.errors, { contentPlan: `contentPlan-${contentPlans[0]}` })}
    <p class="usa-intro">An account no longer in use is retired, not deleted: it stays in the registry and its records stay exportable (H). ${o.deciderName} decides by email.</p>
    ${facts([
      ['Account', account],
      ['Department', o.account.departmentName],
      ['Posting authority that ends', active.length ? active.map((g) => `${g.personName} (${g.role.toLowerCase()})`).join(', ') : 'Nobody holds any'],
    ])}
    ${alert(
      'warning',
      `When it is approved, every posting authority on the account is revoked (B), the registry lists it as retired, and its credential on file is kept ${policy.credentials.retainRetiredDays} days for the records, then deleted (O.b). A retired account takes no new requests.`,
      { slim: true },
    )}
    <p>Fields marked ${requiredMark} are required.</p>
    <form class="usa-form usa-form--large" method="post" action="${accountHref}/retirement" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <div class="${group('reason')}">
      <label class="usa-label" for="reason">Reason${requiredMark}</label>
      <span class="usa-hint" id="reason-hint">Why the account is no longer needed: at least 10 characters.</span>${err('reason')}
      <textarea class="usa-textarea${o.errors?.reason ? ' usa-input--error' : ''}" id="reason" name="reason" required ${invalid('reason', true)}>${value('reason')}</textarea></div>
      <div class="${group('contentPlan')}">
      <fieldset class="usa-fieldset" aria-describedby="contentPlan-hint${o.errors?.contentPlan ? ' contentPlan-error' : ''}"><legend class="usa-legend">What becomes of its content${requiredMark}</legend>
      <span class="usa-hint" id="contentPlan-hint">Its content is archived first either way (H).</span>${err('contentPlan')}
      ${contentPlans.map(option)}
      </fieldset></div>
      <button class="usa-button usa-button--secondary" type="submit">Ask to retire it</button>
      <a class="usa-button usa-button--unstyled" href="${accountHref}">Cancel</a>
    </form>`,
  });
}
