import { formatDate, formatWhen, html, type SafeHtml } from '#core/html';
import { policy } from '#core/policy';
import { inForce, type Standing } from '#core/standing';

/*
 * The account page's "In force on this account": what was approved and stays in force on the
 * account besides its grants (an exception, F.d; a display on a City website, Q), each with who
 * approved it, when, until when, and its request; ended ones below, kept on record.
 */

const requestLink = (requestId: string) => html`<a href="/requests/${encodeURIComponent(requestId)}">request ${requestId}</a>`;

/**
 * A fact's value that is the address of a City web page (https, on a City site: a display's page,
 * Q) becomes a link; any other text stays text, so a reason or a protocol that quotes an outside
 * address never turns into a link on a City page.
 */
function factValue(value: string): SafeHtml | string {
  if (!/^https:\/\/\S+$/.test(value)) return value;
  const host = URL.canParse(value) ? new URL(value).hostname : '';
  const citySite = policy.websiteDisplay.citySites.some((d) => host === d || host.endsWith(`.${d}`));
  return citySite ? html`<a class="usa-link" href="${value}">${value}</a>` : value;
}

/** One standing as a card: its title, its facts, who approved it and when, until when, its request. */
function standingCard(s: Standing, ended: boolean): SafeHtml {
  const until = s.endsOn ? `until ${formatDate(s.endsOn)}` : 'until it is withdrawn';
  const endedWords = s.status === 'WITHDRAWN' ? 'Withdrawn' : 'Ended';
  const when = ended
    ? `${endedWords}${s.lapsedAt ? ` ${formatWhen(s.lapsedAt)}` : s.endsOn ? ` ${formatDate(s.endsOn)}` : ''}`
    : `In force from ${formatDate(s.startsOn)} ${until}`;
  const title = s.title.startsWith('Shown on ') ? html`Shown on ${factValue(s.title.slice('Shown on '.length))}` : s.title;
  return html`<li class="usa-collection__item app-standing"><div class="usa-collection__body">
  ${ended ? html`<h4 class="usa-collection__heading">${title}</h4>` : html`<h3 class="usa-collection__heading">${title}</h3>`}
  <dl class="app-facts">${s.facts.map(([label, value]) => html`<dt>${label}</dt><dd>${factValue(value)}</dd>`)}
  <dt>Approved</dt><dd>by ${s.approvedByName}, ${formatWhen(s.approvedAt)}</dd>
  <dt>${ended ? endedWords : 'In force'}</dt><dd>${when}</dd>
  <dt>Through</dt><dd>${requestLink(s.requestId)}</dd></dl>
</div></li>`;
}

/** The section, ACTIVE standings first and ended ones under "Ended". */
export function standingSection(standings: readonly Standing[]): SafeHtml {
  const { active, ended } = inForce(standings);
  return html`<h2>In force on this account</h2>
${
  active.length
    ? html`<ul class="usa-collection">${active.map((s) => standingCard(s, false))}</ul>`
    : html`<p>No exception (F.d) or display on a City website (Q) is in force on this account.</p>`
}
${ended.length ? html`<h3>Ended</h3><ul class="usa-collection">${ended.map((s) => standingCard(s, true))}</ul>` : ''}`;
}
