import { alert } from '#core/components';
import { html, page } from '#core/html';

/** The callback could not finish (stale or foreign sign-in, refused code): say so and offer a fresh start. */
export function signInProblemPage(message: string, next: string): string {
  return page({
    title: 'Sign-in did not complete',
    body: html`<div class="card"><h1>Sign-in did not complete</h1>
      ${alert('error', message, { role: 'alert' })}
      <p class="app-actions"><a class="usa-button" href="/auth/sign-in?next=${encodeURIComponent(next)}">Sign in again</a></p></div>`,
  });
}

/** Signed out here; with `idpLogout`, on the way to end the City sign-in too (it comes back here). */
export function signedOutPage(idpLogout?: string): string {
  return page({
    title: 'Signed out',
    head: idpLogout ? html`<meta http-equiv="refresh" content="0; url=${idpLogout}">` : undefined,
    body: html`<div class="card"><h1>You are signed out</h1>
      ${
        idpLogout
          ? html`<p>Ending your City sign-in on this device too… If nothing happens, <a class="usa-link" href="${idpLogout}">continue to the City sign-out</a>.</p>`
          : html`${alert('success', 'You are signed out of social media governance on this device.', { role: 'status', slim: true })}<p class="app-actions"><a class="usa-button" href="/auth/sign-in">Sign in again</a></p>`
      }</div>`,
  });
}
