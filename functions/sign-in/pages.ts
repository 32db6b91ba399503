import { html, page } from '#core/html';

/** The callback could not finish (stale or foreign sign-in, refused code): say so and offer a fresh start. */
export function signInProblemPage(message: string, next: string): string {
  return page({
    title: 'Sign-in did not complete',
    body: html`<div class="card"><h1>Sign-in did not complete</h1>
      <div class="banner error" role="alert">${message}</div>
      <p><a href="/auth/sign-in?next=${encodeURIComponent(next)}">Sign in again</a></p></div>`,
  });
}

export function signedOutPage(): string {
  return page({
    title: 'Signed out',
    body: html`<div class="card"><h1>You are signed out</h1>
      <p><a href="/auth/sign-in">Sign in again</a> with your City account.</p></div>`,
  });
}
