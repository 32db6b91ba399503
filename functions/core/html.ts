import { APP_SCRIPT, APP_STYLESHEET, assetUrl, USWDS_STYLESHEET } from '#site/assets';

/**
 * Escaping HTML templates: every interpolated value is escaped unless it is already `SafeHtml`
 * (the output of another `html` template). User text can therefore never become markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** What a page's layout needs of the signed-in person (site/navigation.ts's Viewer): their name and their links. */
export interface PageViewer {
  person: { name: string };
  nav: readonly { href: string; label: string }[];
}

/** Links for someone not (yet) known, on refusal, link and error pages: the way in, and the public pages. */
const anonymousLinks = [
  { href: '/', label: 'My work' },
  { href: '/guidelines', label: 'Comment guidelines' },
];

/** The link of `nav` that is the current page: the longest whose path is the current path's start. */
function currentLink(nav: readonly { href: string }[], path: string | undefined): string | undefined {
  if (!path) return undefined;
  const matches = nav.map((l) => l.href).filter((href) => !href.includes('?') && (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`)));
  return matches.sort((a, b) => b.length - a.length)[0];
}

/**
 * The one page layout (U.S. Web Design System): a skip link, the header with the navigation this
 * person may use (or the way in, when nobody is signed in) and sign-out, the main content, and the
 * footer. Styles and the script come from /assets (site/assets.ts), never inline, so the pages' CSP
 * allows only the app's own files.
 */
export function page(options: { title: string; body: SafeHtml; viewer?: PageViewer | undefined; path?: string; head?: SafeHtml }): string {
  const nav = options.viewer?.nav ?? anonymousLinks;
  const current = currentLink(nav, options.path);
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · City of Albuquerque social media</title>
<link rel="stylesheet" href="${assetUrl(USWDS_STYLESHEET)}"><link rel="stylesheet" href="${assetUrl(APP_STYLESHEET)}"><script src="${assetUrl(APP_SCRIPT)}" defer></script>${options.head ?? ''}</head>
<body><a class="usa-skipnav" href="#main-content">Skip to main content</a>
<header class="app-header"><div class="grid-container app-header__inner">
<a class="app-brand" href="/">City of Albuquerque<span>Social media governance</span></a>
<nav class="app-nav" aria-label="Main"><ul class="app-nav__list">${nav.map(
    (l) => html`<li><a class="app-nav__link" href="${l.href}"${l.href === current ? new SafeHtml(' aria-current="page"') : ''}>${l.label}</a></li>`,
  )}</ul></nav>
<div class="app-account">${
    options.viewer
      ? html`<span>Signed in as ${options.viewer.person.name}</span><form method="post" action="/auth/sign-out"><button class="usa-button usa-button--unstyled" type="submit">Sign out</button></form>`
      : html`<a href="/auth/sign-in">Sign in</a>`
  }</div></div></header>
<main id="main-content" class="grid-container app-main" tabindex="-1">${options.body}</main>
<footer class="app-footer"><div class="grid-container">Administrative Instruction 1-19, Social Media Policy · <a href="/guidelines">Comment guidelines</a></div></footer></body></html>`}`;
}

const denver = 'America/Denver';

/** A moment to the second, in Albuquerque's time with the zone named: "Dec 1, 2026, 11:34:05 AM MST". */
export function formatWhen(iso: string | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-US', {
    timeZone: denver,
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

/** A day, in the same format: "Dec 1, 2026" (a date-only value such as a separation date is taken as that day). */
export function formatDate(isoOrDay: string | undefined): string {
  if (!isoOrDay) return '';
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDay);
  return new Date(dayOnly ? `${isoOrDay}T12:00:00Z` : isoOrDay).toLocaleDateString('en-US', {
    timeZone: dayOnly ? 'UTC' : denver,
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
}

/** A status as a coloured tag (app.css colours approved, active, … by class). */
export const statusBadge = (status: string) =>
  html`<span class="app-status app-status--${status.toLowerCase().replaceAll('_', '-')}">${status.toLowerCase().replaceAll('_', ' ')}</span>`;

/**
 * Marks a form's invalid fields for eyes and screen readers: the message (USWDS error message), and
 * the field pointing at it and at its hint. `group(k)` is the form group's class, red-barred on error.
 */
export function fieldMarks(errors: Record<string, string> | undefined) {
  return {
    err: (k: string) => (errors?.[k] ? html`<span class="usa-error-message" id="${k}-error">${errors[k]}</span>` : ''),
    invalid: (k: string, hint = false) =>
      errors?.[k] ? html`aria-invalid="true" aria-describedby="${k}-error${hint ? ` ${k}-hint` : ''}"` : hint ? html`aria-describedby="${k}-hint"` : '',
    group: (k: string) => (errors?.[k] ? 'usa-form-group usa-form-group--error' : 'usa-form-group'),
  };
}
