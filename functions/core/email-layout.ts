import { html, type SafeHtml } from '#core/html';

/** Every email the workflows send: a subject, an HTML body and the same in plain text. */
export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

/** The one email frame (inline styles only: mail clients drop style sheets). */
export function emailLayout(heading: string, body: SafeHtml): string {
  return `<!doctype html>${html`<html><body style="font-family:system-ui,sans-serif;color:#1d2733;max-width:40rem">
  <h2 style="color:#0b5394">${heading}</h2>${body}
  <p style="color:#5b6878;font-size:13px">City of Albuquerque social media governance · Administrative Instruction 1-19</p></body></html>`}`;
}

export const emailButton = (href: string, label: string) =>
  html`<p><a href="${href}" style="display:inline-block;background:#0b5394;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${label}</a></p>`;
