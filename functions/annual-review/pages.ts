import { alert, dataTable, errorSummary, facts, requiredMark } from '#core/components';
import { formatDate, formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import type { Department } from '#core/policy';
import type { Viewer } from '#site/navigation';
import {
  type AccountAnswer,
  type AccountLine,
  changesOf,
  changeText,
  currentReviewer,
  type DepartmentPage,
  type Finding,
  type PlatformAnswer,
  type PlatformPage,
  pagePath,
  pageTitle,
  progressOf,
  type Review,
  type ReviewPage,
  unansweredOf,
  unansweredPlatforms,
} from '#annual-review/review';

/**
 * The annual review's pages: the list of reviews with DTI's start form, a review's progress and
 * report, and the two answer pages (DTI's platforms, a director's accounts) with their confirmation
 * step. Radios and text only, so every answer works without JavaScript and reads on a phone.
 */

const reviewName = (r: Pick<Review, 'year' | 'departmentCode'>) => `${r.year} annual review${r.departmentCode ? ` (${r.departmentCode})` : ''}`;
const idOf = (field: string) => field.replaceAll('.', '-');

function findingList(findings: readonly Finding[]): SafeHtml | '' {
  if (!findings.length) return html`<p class="usa-hint">Nothing found that needs a look.</p>`;
  return html`<div class="usa-summary-box app-findings" role="region" aria-label="What the system found"><div class="usa-summary-box__body">
    <p class="usa-summary-box__heading">What the system found</p>
    <ul class="usa-list">${findings.map((f) => html`<li>${f.text}</li>`)}</ul>
    <p class="usa-hint">These help you decide; none of them changes anything by itself.</p></div></div>`;
}

/** What is in force on the account (exceptions F.d, displays Q): the director sees what they are keeping. */
function standingList(standings: readonly string[] | undefined): SafeHtml | '' {
  if (!standings?.length) return '';
  return html`<div class="app-standings"><p class="text-bold margin-bottom-0">In force on this account</p>
    <ul class="usa-list">${standings.map((line) => html`<li>${line}</li>`)}</ul></div>`;
}

/** A yes/no question as a USWDS radio fieldset, its error under the legend. */
function yesNo(field: string, legend: string, value: string | undefined, errors: Record<string, string> | undefined, labels = ['Yes', 'No']): SafeHtml {
  const id = idOf(field);
  const error = errors?.[field];
  return html`<fieldset class="usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}"><legend class="usa-legend">${legend}${requiredMark}</legend>
    ${error ? html`<span class="usa-error-message" id="${id}-error">${error}</span>` : ''}
    ${(['yes', 'no'] as const).map(
      (v, i) =>
        html`<div class="usa-radio"><input class="usa-radio__input" id="${id}-${v}" type="radio" name="${field}" value="${v}"${value === v ? html` checked` : ''}${
          error ? html` aria-describedby="${id}-error"` : ''
        }><label class="usa-radio__label" for="${id}-${v}">${labels[i] ?? v}</label></div>`,
    )}</fieldset>`;
}

const fieldIdsFor = (errors: Record<string, string> | undefined) =>
  Object.fromEntries(
    Object.keys(errors ?? {}).map((k) => [
      k,
      /\.(inUse|officialSite|purposeNotice|keep)/.test(k) ? `${idOf(k)}-yes` : /\.decision$/.test(k) ? `${idOf(k)}-KEEP` : idOf(k),
    ]),
  );

const roleWords = (g: AccountLine['grants'][number]) =>
  `${g.role === 'ADMIN' ? 'admin' : 'poster'}${g.receivesCredential ? ', knows the shared password' : ''}`;

function accountQuestions(account: AccountLine, answer: AccountAnswer, errors: Record<string, string> | undefined): SafeHtml {
  const f = (q: string) => `a.${account.accountId}.${q}`;
  const admins = account.grants.filter((g) => g.role === 'ADMIN' && answer.keep?.[g.personId] !== 'no').length;
  const emailField = f('newAdminEmail');
  const emailError = errors?.[emailField];
  return html`<fieldset class="usa-fieldset app-review-account"><legend class="usa-legend usa-legend--large">${account.label}</legend>
    ${findingList(account.findings)}
    ${standingList(account.standings)}
    ${yesNo(f('inUse'), 'Is this account still in use and still needed?', answer.inUse, errors, ['Yes, keep it', 'No, retire it (its access ends; its records are kept)'])}
    ${account.grants.map((g) =>
      yesNo(`${f('keep')}.${g.personId}`, `Does ${g.personName} (${roleWords(g)}) still need posting authority? (B)`, answer.keep?.[g.personId], errors, [
        'Yes',
        'No, revoke it when I submit',
      ]),
    )}
    ${
      admins < 2
        ? html`<div class="usa-form-group${emailError ? ' usa-form-group--error' : ''}"><label class="usa-label" for="${idOf(emailField)}">A second admin: their City email</label>
      <span class="usa-hint" id="${idOf(emailField)}-hint">Every account needs at least two admins (B). The person you name becomes an admin, authorized by you, when you submit.${
        answer.newAdminName ? ` Named so far: ${answer.newAdminName}.` : ''
      }</span>${emailError ? html`<span class="usa-error-message" id="${idOf(emailField)}-error">${emailError}</span>` : ''}
      <input class="usa-input${emailError ? ' usa-input--error' : ''}" type="email" autocomplete="off" id="${idOf(emailField)}" name="${emailField}" value="${answer.newAdminEmail ?? ''}" aria-describedby="${idOf(emailField)}-hint${emailError ? ` ${idOf(emailField)}-error` : ''}"></div>`
        : ''
    }
    ${yesNo(f('officialSite'), 'Does it still show the official-site characteristics: the City name, the approved logo, the link to cabq.gov? (E)', answer.officialSite, errors)}
    ${yesNo(f('purposeNotice'), 'Does it still tell visitors it is for communication between the City and the public? (J)', answer.purposeNotice, errors)}
  </fieldset>`;
}

function platformQuestions(line: PlatformPage['platforms'][number], answer: PlatformAnswer, errors: Record<string, string> | undefined): SafeHtml {
  const field = `p.${line.platformId}.decision`;
  const note = `p.${line.platformId}.note`;
  const error = errors?.[field];
  const noteError = errors?.[note];
  const options = [
    ['KEEP', 'Keep it as it is'],
    ['CHANGE', 'Keep it, with changes (say what changed)'],
    ['RETIRE', 'Retire it: no new accounts; its accounts are flagged (say why)'],
  ] as const;
  return html`<fieldset class="usa-fieldset app-review-account"><legend class="usa-legend usa-legend--large">${line.name}</legend>
    <p>${line.accounts} active account${line.accounts === 1 ? '' : 's'} on it. <a class="usa-link" href="/platforms/${encodeURIComponent(line.platformId)}">Its entry on the platforms list</a></p>
    ${findingList(line.findings)}
    <fieldset class="usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}"><legend class="usa-legend">What does DTI decide? (O.a)${requiredMark}</legend>
    ${error ? html`<span class="usa-error-message" id="${idOf(field)}-error">${error}</span>` : ''}
    ${options.map(
      ([v, label]) =>
        html`<div class="usa-radio"><input class="usa-radio__input" id="${idOf(field)}-${v}" type="radio" name="${field}" value="${v}"${answer.decision === v ? html` checked` : ''}><label class="usa-radio__label" for="${idOf(field)}-${v}">${label}</label></div>`,
    )}</fieldset>
    <div class="usa-form-group${noteError ? ' usa-form-group--error' : ''}"><label class="usa-label" for="${idOf(note)}">What changed, or why it is retired</label>
    ${noteError ? html`<span class="usa-error-message" id="${idOf(note)}-error">${noteError}</span>` : ''}
    <textarea class="usa-textarea${noteError ? ' usa-input--error' : ''}" id="${idOf(note)}" name="${note}"${noteError ? html` aria-describedby="${idOf(note)}-error"` : ''}>${answer.note ?? ''}</textarea></div>
  </fieldset>`;
}

function pageFacts(r: Review, p: ReviewPage): SafeHtml {
  return facts([
    ['Review', reviewName(r)],
    ['Assigned to', currentReviewer(p)?.name ?? 'nobody'],
    ['Due', formatDate(p.dueAt)],
    ['Status', statusBadge(p.status)],
    ...(p.savedAt ? ([['Answers last saved', formatWhen(p.savedAt)]] as [string, string][]) : []),
  ]);
}

/** A review page: the questions when it is yours and open, what was answered otherwise. */
export function answerPage(o: {
  viewer: Viewer;
  review: Review;
  page: ReviewPage;
  answers?: ReviewPage['answers'];
  errors?: Record<string, string>;
  notice?: SafeHtml;
  open: boolean;
}): string {
  const p = o.page;
  const answers = (o.answers ?? p.answers) as Record<string, AccountAnswer & PlatformAnswer>;
  const title = `${reviewName(o.review)}: ${pageTitle(p)}`;
  const intro =
    p.kind === 'PLATFORMS'
      ? 'Policy O.a: DTI reviews the approved list every year for changes such as usage agreements and new or expired offerings; rule P: each tool has user guidelines, account-management standards and branding standards. Decide for each platform. Keeping one counts its usage agreement as reviewed today.'
      : 'Policy B, C and O.b: once a year each department confirms its accounts are still needed, who still needs posting authority, that each account has two admins, and that each still shows what rules E and J require. Nothing changes until you submit; you can save and come back.';
  const questions =
    p.kind === 'PLATFORMS'
      ? p.platforms.map((line) => platformQuestions(line, answers[line.platformId] ?? {}, o.errors))
      : p.accounts.map((account) => accountQuestions(account, answers[account.accountId] ?? {}, o.errors));
  const body = o.open
    ? html`<form class="usa-form usa-form--large app-review-form" method="post" action="${pagePath(p)}" novalidate>
      <p>Questions marked ${requiredMark} must be answered before you submit.</p>
      ${questions}
      <div class="app-actions"><button class="usa-button usa-button--outline" type="submit" name="action" value="save">Save answers</button>
      <button class="usa-button" type="submit" name="action" value="submit">Review and submit</button></div></form>`
    : answersRead(p);
  return page({
    title,
    viewer: o.viewer,
    path: '/',
    body: html`<h1>${title}</h1>${errorSummary(o.errors, fieldIdsFor(o.errors))}${o.notice ?? ''}<p class="usa-intro">${intro}</p>${pageFacts(o.review, p)}${body}`,
  });
}

/** The confirmation step: every change the answers make, before anything is made. */
export function confirmPage(o: { viewer: Viewer; review: Review; page: ReviewPage }): string {
  const p = o.page;
  const lines =
    p.kind === 'PLATFORMS'
      ? p.platforms.map(
          (l) =>
            `${l.name}: ${p.answers[l.platformId]?.decision === 'RETIRE' ? 'retired' : p.answers[l.platformId]?.decision === 'CHANGE' ? 'kept with changes' : 'kept'}`,
        )
      : changesOf(p).map(changeText);
  const title = `Submit the ${reviewName(o.review)}: ${pageTitle(p)}`;
  return page({
    title,
    viewer: o.viewer,
    path: '/',
    body: html`<h1>${title}</h1>
    <p class="usa-intro">Your answers are saved. Submitting makes these changes at once, in your name, and tells each person whose posting authority ends.</p>
    ${lines.length ? html`<ul class="usa-list">${lines.map((l) => html`<li>${l}</li>`)}</ul>` : alert('info', 'No changes: every account, admin and poster stays as it is.', { slim: true })}
    <form method="post" action="${pagePath(p)}"><input type="hidden" name="action" value="confirm"><input type="hidden" name="savedAt" value="${p.savedAt ?? ''}">
    <div class="app-actions"><button class="usa-button" type="submit">Confirm and submit</button>
    <a class="usa-button usa-button--outline" href="${pagePath(p)}">Back to the answers</a></div></form>`,
  });
}

export function submittedPage(o: { viewer: Viewer; review: Review; page: ReviewPage; changes: string[]; canReadReport: boolean }): string {
  const title = `${reviewName(o.review)}: ${pageTitle(o.page)} submitted`;
  return page({
    title,
    viewer: o.viewer,
    path: '/',
    body: html`<h1>${title}</h1>${alert('success', 'Your review is submitted and on the record. Thank you.', { role: 'status' })}
    ${o.changes.length ? html`<h2>What changed</h2><ul class="usa-list">${o.changes.map((c) => html`<li>${c}</li>`)}</ul>` : html`<p>Nothing needed changing.</p>`}
    <p><a class="usa-link" href="${o.canReadReport ? `/reviews/${o.review.reviewId}` : '/'}">${o.canReadReport ? 'Open the review\u2019s report' : 'Back to My work'}</a></p>`,
  });
}

function answersRead(p: ReviewPage): SafeHtml {
  if (p.kind === 'PLATFORMS') {
    return dataTable({
      caption: 'Platforms',
      headers: ['Platform', 'Accounts', 'Found', 'Decision'],
      rows: p.platforms.map((l) => [
        l.name,
        String(l.accounts),
        l.findings.map((f) => f.text).join(' ') || 'nothing',
        `${(p.answers[l.platformId]?.decision ?? 'not answered').toLowerCase()}${p.answers[l.platformId]?.note ? `: ${p.answers[l.platformId]?.note}` : ''}`,
      ]),
    });
  }
  const changes = changesOf(p);
  return dataTable({
    caption: `Accounts of ${p.departmentName}`,
    headers: ['Account', 'Found', 'Answers', 'Changes'],
    rows: p.accounts.map((a) => {
      const answer = p.answers[a.accountId] ?? {};
      const missing = unansweredOf(a, answer);
      const own = changes.filter((c) => c.accountId === a.accountId).map(changeText);
      return [
        a.label,
        a.findings.map((f) => f.text).join(' ') || 'nothing',
        missing.length ? `${missing.length} unanswered` : answer.inUse === 'no' ? 'no longer in use' : 'all answered',
        own.join('; ') || (p.status === 'SUBMITTED' ? 'none' : '—'),
      ];
    }),
  });
}

/** The list of reviews, and DTI's form to start one (the yearly one starts by itself). */
export function reviewsPage(o: {
  viewer: Viewer;
  reviews: Review[];
  departments: Department[];
  mayStart: boolean;
  currentYear: number;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}): string {
  const value = (k: string) => (typeof o.values?.[k] === 'string' ? (o.values[k] as string) : '');
  const yearError = o.errors?.year;
  const deptError = o.errors?.departmentCode;
  const form = o.mayStart
    ? html`<h2>Start a review now</h2><p>The yearly review starts by itself on its date. Start one now for the whole City, or for one department (for example after a reorganization). A review that is already running is shown instead of starting a second.</p>
    <form class="usa-form" method="post" action="/reviews" novalidate>
    <div class="usa-form-group${yearError ? ' usa-form-group--error' : ''}"><label class="usa-label" for="year">Year${requiredMark}</label><span class="usa-hint" id="year-hint">${o.currentYear} or ${o.currentYear + 1}.</span>
    ${yearError ? html`<span class="usa-error-message" id="year-error">${yearError}</span>` : ''}
    <input class="usa-input usa-input--small${yearError ? ' usa-input--error' : ''}" id="year" name="year" inputmode="numeric" value="${value('year') || String(o.currentYear)}" aria-describedby="year-hint${yearError ? ' year-error' : ''}"></div>
    <div class="usa-form-group${deptError ? ' usa-form-group--error' : ''}"><label class="usa-label" for="departmentCode">Department</label>
    ${deptError ? html`<span class="usa-error-message" id="departmentCode-error">${deptError}</span>` : ''}
    <select class="usa-select" id="departmentCode" name="departmentCode"${deptError ? html` aria-describedby="departmentCode-error"` : ''}><option value="">The whole City</option>${o.departments.map(
      (d) => html`<option value="${d.code}"${value('departmentCode') === d.code ? html` selected` : ''}>${d.name}</option>`,
    )}</select></div>
    <button class="usa-button" type="submit">Start the review</button></form>`
    : '';
  return page({
    title: 'Annual reviews',
    viewer: o.viewer,
    path: '/reviews',
    body: html`<h1>Annual reviews</h1>${errorSummary(o.errors)}
    <p class="usa-intro">Once a year DTI reviews every approved platform (O.a, P) and each department's director their accounts: who still needs posting authority (B), two admins, the shared passwords (C, O.b), and the official-site characteristics (E, J).</p>
    ${
      o.reviews.length
        ? dataTable({
            caption: 'Reviews, newest first',
            headers: ['Review', 'Status', 'Started', 'Due', 'Finished'],
            rows: o.reviews.map((r) => [
              html`<a class="usa-link" href="/reviews/${r.reviewId}">${reviewName(r)}</a>`,
              statusBadge(r.status),
              formatDate(r.startedAt),
              formatDate(r.dueAt),
              r.finishedAt ? formatDate(r.finishedAt) : '—',
            ]),
          })
        : html`<p>No review has been run yet.</p>`
    }${form}`,
  });
}

/** A review's progress while it runs, and its report when it is done (printable: the print styles drop the navigation). */
export function reportPage(o: { viewer: Viewer; reviewId: string; review?: Review; pages: ReviewPage[]; already: boolean; partial: boolean }): string {
  if (!o.review) {
    return page({
      title: `Review ${o.reviewId}`,
      viewer: o.viewer,
      path: '/reviews',
      body: html`<h1>Review ${o.reviewId}</h1>${alert('info', html`The review is starting: its pages open in a moment. <a class="usa-link" href="/reviews/${o.reviewId}">Refresh</a>`, { role: 'status' })}`,
    });
  }
  const r = o.review;
  const progress = progressOf(o.pages);
  const departments = o.pages.filter((p): p is DepartmentPage => p.kind === 'DEPARTMENT');
  const platforms = o.pages.find((p): p is PlatformPage => p.kind === 'PLATFORMS');
  const section = (p: ReviewPage) => html`<section class="app-review-section"><h2>${pageTitle(p)}</h2>
    ${facts([
      ['Status', statusBadge(p.status)],
      ['Reviewer', p.submittedBy?.name ?? currentReviewer(p)?.name ?? 'nobody'],
      ...(p.submittedAt ? ([['Submitted', formatWhen(p.submittedAt)]] as [string, string][]) : []),
      ...(p.notAttestedAt
        ? ([['Not attested', `${formatWhen(p.notAttestedAt)}: ${(p.unanswered ?? []).length} question(s) left unanswered`]] as [string, string][])
        : []),
      ...(p.noDirector ? ([['Routing', 'No director or designee in the directory: sent to the Communications Director']] as [string, string][]) : []),
      ...(p.failure ? ([['Could not be prepared', `${p.failure} DTI was told; the other departments went on.`]] as [string, string][]) : []),
    ])}
    ${p.status === 'NOTHING_TO_REVIEW' ? html`<p>Nothing to review: no active accounts.</p>` : answersRead(p)}</section>`;
  const unansweredTotal = platforms ? unansweredPlatforms(platforms).length : 0;
  return page({
    title: reviewName(r),
    viewer: o.viewer,
    path: '/reviews',
    body: html`<h1>${reviewName(r)}</h1>
    ${o.already ? alert('info', 'This review was already started: nothing new was started. Here is where it stands.', { role: 'status' }) : ''}
    ${o.partial ? alert('info', 'You see the pages you were asked to review. DTI and the Communications Director and Coordinator see the whole report.', { slim: true }) : ''}
    ${facts([
      ['Status', statusBadge(r.status)],
      ['Started', `${formatWhen(r.startedAt)} (${r.trigger === 'schedule' ? 'by its schedule' : `by ${r.startedBy?.name ?? 'an operator'}`})`],
      ['Due', formatDate(r.dueAt)],
      ...(r.finishedAt ? ([['Finished', formatWhen(r.finishedAt)]] as [string, string][]) : []),
      [
        'Departments',
        `${progress.done} of ${progress.departments} done: ${progress.submitted} submitted, ${progress.notAttested} not attested, ${progress.nothingToReview} with nothing to review`,
      ],
      ['Accounts', `${progress.answered} of ${progress.accounts} fully answered`],
      ['Findings', String(progress.findings)],
      ['Changes applied', String(progress.changesApplied)],
      ...(platforms
        ? ([['Platforms', `${platforms.platforms.length} reviewed by DTI${unansweredTotal ? `, ${unansweredTotal} unanswered` : ''}`]] as [string, string][])
        : []),
    ])}
    ${platforms ? section(platforms) : ''}${departments.map(section)}`,
  });
}

export function refusalPage(o: { viewer: Viewer; title: string; message: string }): string {
  return page({
    title: o.title,
    viewer: o.viewer,
    path: '/',
    body: html`<h1>${o.title}</h1>${alert('warning', o.message, { role: 'alert' })}<p><a class="usa-link" href="/">Back to My work</a></p>`,
  });
}
