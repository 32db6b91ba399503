import { html, SafeHtml } from '#core/html';

/** Every email the workflows send: a subject, an HTML body and the same in plain text. */
export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

/*
 * The one email frame. Mail clients drop style sheets, so every style is inline. It fits a phone:
 * one fluid column at most 600 px wide, no fixed widths, and long words (a URL, an email address, a
 * handle) wrap instead of widening the message. Every link opens a new tab: the local mailbox
 * viewer shows mail in a frame the app refuses to be shown in, so a link must leave the frame.
 */

const font = 'font-family:-apple-system,BlinkMacSystemFont,&quot;Segoe UI&quot;,Roboto,Helvetica,Arial,sans-serif';
const wrap = 'overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word';
/** Small print under a message: who it is for, what a link does. */
export const emailNoteStyle = 'color:#565c65;font-size:14px;line-height:1.4';

/** Links open outside the mail (and outside the local viewer's frame), with no access to the opener. */
const newTab = 'target="_blank" rel="noopener noreferrer"';

/** Adds the new-tab attributes to every link of a rendered body that lacks them (links built anywhere, e.g. a kind's summary). */
function linksInNewTabs(markup: string): string {
  return markup.replace(/<a\b(?![^>]*\btarget=)/g, `<a ${newTab}`);
}

export function emailLayout(heading: string, body: SafeHtml): string {
  const frame = html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${heading}</title></head>
<body style="margin:0;padding:0;background:#f0f0f0">
<div role="main" style="max-width:600px;margin:0 auto;padding:16px;background:#ffffff;${new SafeHtml(font)};font-size:16px;line-height:1.5;color:#1b1b1b;${wrap}">
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#0b5394">${heading}</h1>
${body}
<p style="margin:24px 0 0;padding-top:12px;border-top:1px solid #dfe1e2;${emailNoteStyle}">City of Albuquerque social media governance · Administrative Instruction 1-19</p>
</div></body></html>`;
  return `<!doctype html>${linksInNewTabs(frame.value)}`;
}

/** The email's one action: a full-width-on-a-phone button (a link styled as one). */
export const emailButton = (href: string, label: string) =>
  html`<p style="margin:20px 0"><a href="${href}" ${new SafeHtml(newTab)} style="display:inline-block;max-width:100%;box-sizing:border-box;background:#0b5394;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold;${new SafeHtml(wrap)}">${label}</a></p>`;

/** A link in running text. */
export const emailLink = (href: string, label?: string) =>
  html`<a href="${href}" ${new SafeHtml(newTab)} style="color:#005ea2;${new SafeHtml(wrap)}">${label ?? href}</a>`;

/** Label and value pairs, one under the other (a definition list reads on any width; a table would not). */
export const emailFacts = (rows: readonly (readonly [string, string])[]) =>
  html`<dl style="margin:16px 0">${rows.map(
    ([label, value]) =>
      html`<dt style="font-weight:bold;margin-top:8px">${label}</dt><dd style="margin:0;white-space:pre-line;${new SafeHtml(wrap)}">${value}</dd>`,
  )}</dl>`;

/** The same pairs as plain text. */
export const emailFactsText = (rows: readonly (readonly [string, string])[]) => rows.map(([label, value]) => `${label}: ${value}`).join('\n');
