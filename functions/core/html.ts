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

const styles = `
:root{--ink:#1d2733;--muted:#5b6878;--line:#d8dee6;--bg:#f5f7fa;--brand:#0b5394;--ok:#1e7b34;--bad:#b3261e;--warn:#8a5a00}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--brand);color:#fff;padding:.8rem 1.5rem;display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
header a{color:#fff}header .brand{font-weight:600;text-decoration:none}
main{max-width:52rem;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.25rem 1.5rem;margin-bottom:1rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.2rem 0 .6rem}
label{display:block;font-weight:600;margin:.9rem 0 .25rem}.hint{color:var(--muted);font-size:.9rem;font-weight:400}
input[type=text],select,textarea{width:100%;padding:.5rem;border:1px solid #aab4c0;border-radius:6px;font:inherit;background:#fff}
[aria-invalid=true]{border:2px solid var(--bad)!important}.card>h2:first-child{margin-top:0}
textarea{min-height:5rem}fieldset{border:1px solid var(--line);border-radius:6px;margin:.9rem 0}
.check{font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0}
button{font:inherit;padding:.55rem 1.1rem;border-radius:6px;border:1px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer;margin:.8rem .5rem 0 0}
button.secondary{background:#fff;color:var(--brand)}button.reject{background:var(--bad);border-color:var(--bad)}
.error{color:var(--bad);font-size:.92rem;margin:.2rem 0}.banner{padding:.8rem 1rem;border-radius:6px;margin-bottom:1rem;border:1px solid}
.banner.error{background:#fdecea;border-color:#f5c2bd}.banner.ok{background:#e8f5ea;border-color:#b9dfc1;color:var(--ok)}.banner.info{background:#eef4fb;border-color:#c4d7ee}
dl{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.35rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;white-space:pre-wrap}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.status{display:inline-block;padding:.1rem .55rem;border-radius:999px;font-size:.85rem;font-weight:600;background:#e6ebf1}
.status.APPROVED,.status.ACTIVE,.status.COMPLETED,.status.DONE{background:#e8f5ea;color:var(--ok)}.status.REJECTED,.status.FAILED{background:#fdecea;color:var(--bad)}.status.EXPIRED,.status.REVOKED,.status.OPEN{background:#fff4de;color:var(--warn)}
.secret{font:1.4rem/1.4 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em;background:#f1f4f8;border:1px dashed #aab4c0;border-radius:6px;padding:.6rem .8rem;user-select:all;word-break:break-all}
.dev{background:#fff4de;border:2px dashed var(--warn)}footer{color:var(--muted);font-size:.85rem;text-align:center;margin:2rem 0}
`;

export function page(options: { title: string; body: SafeHtml; signedInAs?: string | undefined }): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · City of Albuquerque social media</title><style>${new SafeHtml(styles)}</style></head>
<body><header><a class="brand" href="/requests/new">City of Albuquerque · Social media governance</a>
<nav>${options.signedInAs ? html`Signed in as ${options.signedInAs} · <a href="/requests/new">New account request</a> · <a href="/requests">My requests</a> · <a href="/accounts">Registry</a>` : ''}</nav></header>
<main>${options.body}</main><footer>Administrative Instruction 1-19, Social Media Policy · <a href="/guidelines">Comment guidelines</a></footer></body></html>`}`;
}

export function formatWhen(iso: string | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-US', { timeZone: 'America/Denver', dateStyle: 'medium', timeStyle: 'short' });
}

/** A status as a coloured pill (the CSS colours APPROVED/ACTIVE/… by class). */
export const statusBadge = (status: string) => html`<span class="status ${status}">${status.toLowerCase().replaceAll('_', ' ')}</span>`;

/** Marks a form's invalid fields for eyes and screen readers: the message, and the field pointing at it. */
export function fieldMarks(errors: Record<string, string> | undefined) {
  return {
    err: (k: string) => (errors?.[k] ? html`<p class="error" id="${k}-error">${errors[k]}</p>` : ''),
    invalid: (k: string) => (errors?.[k] ? html`aria-invalid="true" aria-describedby="${k}-error"` : ''),
  };
}
