import { alert, dataTable, errorSummary, facts, requiredMark } from '#core/components';
import { fieldMarks, formatDate, formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import { isRetired, missingDocuments, type Platform, type PlatformChange, platformDocumentKinds, platformDocumentTitles } from '#core/platform';
import { changeLine, documentFields, formValuesOf } from '#platforms/platforms';
import type { Viewer } from '#site/navigation';

/**
 * The pages of DTI's approved-platforms list (O.a, P): the list, a platform's page with its usage
 * agreement, its P documents and every change made to it, and for DTI only the add, edit and
 * retire forms. Everyone signed in reads them; nobody but DTI is shown a form.
 */

const policyNote = html`<p class="usa-intro">Policy O.a: DTI keeps the list of social media sites approved for use by City departments and staff, and reviews it every year (usage agreements, new or expired offerings). Policy P: for each approved platform the City adopts user guidelines, standards and processes for managing accounts, and branding standards.</p>`;

export const platformHref = (id: string) => `/platforms/${encodeURIComponent(id)}`;

/** "Incomplete" with what is missing, or nothing: a platform missing any P document is flagged wherever it is listed. */
function completeness(platform: Platform): SafeHtml {
  const missing = missingDocuments(platform);
  if (missing.length === 0) return html`All three adopted`;
  return html`<span class="usa-tag">Incomplete</span> missing ${missing.map((k) => platformDocumentTitles[k].toLowerCase()).join(', ')}`;
}

const link = (url: string | undefined, text?: string) =>
  url ? html`<a class="usa-link" href="${url}" rel="noopener noreferrer">${text ?? url}</a>` : 'Not given';

// The list ----------------------------------------------------------------------------------------

export interface PlatformsListView {
  viewer: Viewer;
  platforms: Platform[];
  mayManage: boolean;
}

/** GET /platforms: every platform on the list, approved first, each with its status and whether its P documents are complete. */
export function platformsListPage(v: PlatformsListView): string {
  const ordered = [...v.platforms].sort((a, b) => Number(isRetired(a)) - Number(isRetired(b)) || a.name.localeCompare(b.name));
  const incomplete = ordered.filter((p) => !isRetired(p) && missingDocuments(p).length > 0);
  return page({
    title: 'Approved platforms',
    viewer: v.viewer,
    path: '/platforms',
    body: html`<h1>Approved social media platforms</h1>
${policyNote}
${v.mayManage ? html`<p><a class="usa-button" href="/platforms/new">Add a platform</a></p>` : html`<p>DTI maintains this list. A new City account may use only an approved platform with its P documents adopted (<a href="/requests/new">New Social Media form</a>).</p>`}
<p>Your department needs a platform that is not here? <a class="usa-link" href="/platform-proposals/new">Propose a platform</a>; DTI decides.</p>
${incomplete.length ? alert('warning', html`${incomplete.length === 1 ? '1 approved platform is' : `${incomplete.length} approved platforms are`} missing P documents: ${incomplete.map((p, i) => html`${i ? ', ' : ''}<a href="${platformHref(p.id)}">${p.name}</a>`)}.`, { slim: true }) : ''}
${
  ordered.length
    ? dataTable({
        caption: 'Platforms on DTI’s list',
        captionHidden: true,
        headers: ['Platform', 'Status', 'Usage agreement reviewed', 'P documents'],
        rows: ordered.map((p) => [
          html`<a href="${platformHref(p.id)}">${p.name}</a>`,
          statusBadge(p.status ?? (p.approved ? 'APPROVED' : 'RETIRED')),
          p.usageAgreement ? formatDate(p.usageAgreement.reviewedOn) : 'Not recorded',
          isRetired(p) ? html`Retired ${formatDate(p.retiredAt)}` : completeness(p),
        ]),
      })
    : html`<p>No platform is on the list yet.</p>`
}`,
  });
}

// The forms ---------------------------------------------------------------------------------------

export interface FormState {
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

const formValue = (values: Record<string, unknown> | undefined) => (k: string) => (typeof values?.[k] === 'string' ? (values[k] as string) : '');

/** One USWDS form group: label, hint, its error, and the input pointing at both. */
function fields(state: FormState, today: string) {
  const value = formValue(state.values);
  const { err, invalid, group } = fieldMarks(state.errors);
  const bad = (k: string, base: string) => (state.errors?.[k] ? `${base} usa-input--error` : base);
  return (k: string, label: string, hint: string, o: { required?: boolean; type?: 'text' | 'url' | 'date'; multiline?: boolean } = {}) =>
    html`<div class="${group(k)}"><label class="usa-label" for="${k}">${label}${o.required ? requiredMark : ''}</label>
    <span class="usa-hint" id="${k}-hint">${hint}</span>${err(k)}
    ${
      o.multiline
        ? html`<textarea class="${bad(k, 'usa-textarea')}" id="${k}" name="${k}"${o.required ? html` required` : ''} ${invalid(k, true)}>${value(k)}</textarea>`
        : html`<input class="${bad(k, 'usa-input')}" type="${o.type ?? 'text'}" id="${k}" name="${k}" value="${value(k)}"${
            o.type === 'date' ? html` max="${today}"` : ''
          }${o.required ? html` required` : ''} ${invalid(k, true)}>`
    }</div>`;
}

/** The add and edit form's fields (platforms.ts's platformFormSchema checks the same). */
function platformFields(state: FormState, adding: boolean, today: string): SafeHtml {
  const field = fields(state, today);
  return html`${adding ? field('id', 'Id', 'The platform’s address on this site, fixed once added: 1 to 40 lowercase letters, digits or dashes, e.g. threads.', { required: true }) : ''}
  ${field('name', 'Name', 'As employees know it, e.g. Threads.', { required: true })}
  ${field('siteUrl', 'Site', 'The platform’s address, starting https://.', { required: true, type: 'url' })}
  <fieldset class="usa-fieldset"><legend class="usa-legend usa-legend--large">Usage agreement (O.a)</legend>
  ${field('agreementTitle', 'Title', 'The usage agreement or terms of service the City accepts, e.g. “Meta Terms of Service for government pages”.', { required: true })}
  ${field('agreementUrl', 'Address', 'Where it is published, starting https://.', { required: true, type: 'url' })}
  ${field('agreementReviewedOn', 'Reviewed by DTI on', `The day DTI last reviewed it, YYYY-MM-DD, ${today} at the latest.`, { required: true, type: 'date' })}
  </fieldset>
  <fieldset class="usa-fieldset"><legend class="usa-legend usa-legend--large">Documents adopted for this platform (P)</legend>
  <p class="usa-hint">Each an https:// address with the day the City adopted it. Leave one empty if it is not adopted yet: the platform is shown as incomplete until all three are.</p>
  ${platformDocumentKinds.map((kind) => {
    const title = platformDocumentTitles[kind];
    return html`${field(documentFields[kind].url, `${title}: address`, `Where the ${title.toLowerCase()} are published.`, { type: 'url' })}
    ${field(documentFields[kind].adoptedOn, `${title}: adopted on`, 'YYYY-MM-DD.', { type: 'date' })}`;
  })}
  </fieldset>`;
}

/** GET /platforms/new (DTI): the add form, again with what to fix after a refused POST. */
export function addPlatformPage(o: { viewer: Viewer; today: string } & FormState): string {
  return page({
    title: 'Add a platform',
    viewer: o.viewer,
    path: '/platforms',
    body: html`<p><a href="/platforms">Back to the approved platforms</a></p>
    <h1>Add a platform to the approved list</h1>
    ${errorSummary(o.errors)}
    ${policyNote}
    <p>Fields marked ${requiredMark} are required. The platform is approved from the moment it is added; the addition is recorded with your name.</p>
    <form class="usa-form usa-form--large" method="post" action="/platforms" novalidate>
      ${platformFields(o, true, o.today)}
      <button class="usa-button" type="submit">Add the platform</button>
    </form>`,
  });
}

// A platform --------------------------------------------------------------------------------------

export type PlatformNotice = 'added' | 'edited' | 'retired' | 'unchanged';

export interface PlatformView {
  viewer: Viewer;
  platform: Platform;
  changes: PlatformChange[];
  mayManage: boolean;
  today: string;
  notice?: PlatformNotice;
  /** A form refused for its fields (400), or made from an older version (409, `stale`): shown again with what to do. */
  edit?: FormState;
  retire?: FormState;
  stale?: string;
}

const notices: Record<PlatformNotice, string> = {
  added: 'The platform is on the approved list; its addition is recorded below.',
  edited: 'Your change is saved and recorded below.',
  retired: 'The platform is retired: it is no longer offered for new accounts. Its accounts stay in the registry, flagged.',
  unchanged: 'Nothing to save: the form had the values already on record.',
};

function documentFacts(p: Platform): (readonly [string, SafeHtml | string])[] {
  return platformDocumentKinds.map((kind) => {
    const d = p.documents?.[kind];
    return [platformDocumentTitles[kind], d ? html`${link(d.url)}, adopted ${formatDate(d.adoptedOn)}` : html`<span class="usa-tag">Missing</span>`] as const;
  });
}

const changeWords: Record<PlatformChange['kind'], string> = { ADDED: 'Added', EDITED: 'Edited', RETIRED: 'Retired' };

function history(changes: PlatformChange[]): SafeHtml {
  if (changes.length === 0) return html`<p>No change has been recorded: this platform is as the list was first set up.</p>`;
  return dataTable({
    caption: 'Changes, newest first',
    captionHidden: true,
    headers: ['When', 'Change', 'By', 'What changed'],
    rows: [...changes]
      .sort((a, b) => b.version - a.version)
      .map((c) => [
        formatWhen(c.at),
        html`${changeWords[c.kind]} (version ${c.version})`,
        c.byName,
        html`<ul class="usa-list margin-0">${c.changes.map((f) => html`<li>${changeLine(f)}</li>`)}${c.reason ? html`<li>Reason: ${c.reason}</li>` : ''}${c.requestId ? html`<li><a href="/requests/${encodeURIComponent(c.requestId)}">The request ${c.requestId}</a></li>` : ''}</ul>`,
      ]),
  });
}

function manageForms(v: PlatformView): SafeHtml {
  const p = v.platform;
  const version = String(p.version ?? 0);
  const edit: FormState = v.edit ?? { values: formValuesOf(p) };
  const retire = v.retire ?? {};
  const { err, invalid, group } = fieldMarks(retire.errors);
  return html`<h2 id="edit">Edit ${p.name}</h2>
  <p>Fields marked ${requiredMark} are required. Each change is recorded with your name, field by field; if someone else changes the platform first, nothing you send is saved and you are shown theirs.</p>
  <form class="usa-form usa-form--large" method="post" action="${platformHref(p.id)}" novalidate>
    <input type="hidden" name="version" value="${version}">
    ${platformFields(edit, false, v.today)}
    <button class="usa-button" type="submit">Save changes</button>
  </form>
  <h2 id="retire">Retire ${p.name}</h2>
  <p>Retiring takes the platform off the approved list: the New Social Media form no longer offers it, and the registry flags its accounts. It stays on record and cannot be approved again here.</p>
  <form class="usa-form usa-form--large" method="post" action="${platformHref(p.id)}/retire" novalidate>
    <input type="hidden" name="version" value="${version}">
    <div class="${group('reason')}"><label class="usa-label" for="reason">Why it is retired${requiredMark}</label>
    <span class="usa-hint" id="reason-hint">At least 10 characters, e.g. the usage agreement expired or the offering ended. Everyone can read it.</span>${err('reason')}
    <textarea class="usa-textarea${retire.errors?.reason ? ' usa-input--error' : ''}" id="reason" name="reason" required ${invalid('reason', true)}>${formValue(retire.values)('reason')}</textarea></div>
    <button class="usa-button usa-button--secondary" type="submit">Retire the platform</button>
  </form>`;
}

/** GET /platforms/{id}: the platform, its usage agreement and P documents, its retirement, every change; for DTI the edit and retire forms. */
export function platformPage(v: PlatformView): string {
  const p = v.platform;
  const missing = missingDocuments(p);
  const retired = isRetired(p);
  const errors = { ...v.edit?.errors, ...v.retire?.errors };
  return page({
    title: p.name,
    viewer: v.viewer,
    path: '/platforms',
    body: html`<p><a href="/platforms">Back to the approved platforms</a></p>
<h1>${p.name}</h1>
${errorSummary(Object.keys(errors).length ? errors : undefined)}
${v.stale ? alert('warning', v.stale, { heading: 'Someone else changed this platform', role: 'alert' }) : ''}
${v.notice ? alert('success', notices[v.notice], { role: 'status' }) : ''}
${
  retired
    ? alert('info', html`Retired ${formatWhen(p.retiredAt)} by ${p.retiredByName ?? 'DTI'}: ${p.retiredReason ?? ''}`, {
        heading: `${p.name} is retired`,
        level: 2,
      })
    : missing.length
      ? alert(
          'warning',
          html`Missing: ${missing.map((k) => platformDocumentTitles[k].toLowerCase()).join(', ')}. Rule P asks for all three for each approved platform.`,
          {
            heading: 'Incomplete',
          },
        )
      : ''
}
${facts([
  ['Status', statusBadge(p.status ?? (p.approved ? 'APPROVED' : 'RETIRED'))],
  ['Id', p.id],
  ['Site', link(p.siteUrl)],
  [
    'Usage agreement',
    p.usageAgreement ? html`${link(p.usageAgreement.url, p.usageAgreement.title)}, reviewed by DTI ${formatDate(p.usageAgreement.reviewedOn)}` : 'Not recorded',
  ],
  ...documentFacts(p),
  ['Version', String(p.version ?? 0)],
  ...(p.updatedAt ? ([['Last changed', `${formatWhen(p.updatedAt)} by ${p.updatedByName ?? ''}`]] as const) : []),
])}
<h2>Changes</h2>
${history(v.changes)}
${v.mayManage ? (retired ? '' : manageForms(v)) : html`<p class="usa-hint">DTI maintains this list (O.a); ask DTI for a change.</p>`}`,
  });
}
