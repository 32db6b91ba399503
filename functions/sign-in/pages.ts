import { alert, processList } from '#core/components';
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

/**
 * Cognito refused the sign-in and said why (the sign-in trigger's message: not in the directory,
 * separated): the reason, and what the person can do about it.
 */
export function signInRefusedPage(reason: string, dtiEmail: string, next: string): string {
  return page({
    title: 'Sign-in refused',
    body: html`<div class="card"><h1>You could not be signed in</h1>
      ${alert('error', html`<p class="margin-0">${reason}</p>`, { role: 'alert' })}
      <p>Social media governance lets in only the people in its directory, which DTI keeps from the City’s HR records. If this is not right, ask DTI at <a class="usa-link" href="mailto:${dtiEmail}">${dtiEmail}</a> to check your entry, and give them the message above.</p>
      <p class="app-actions"><a class="usa-button usa-button--outline" href="/auth/sign-in?next=${encodeURIComponent(next)}">Try signing in again</a> <a class="usa-link" href="/guidelines">Comment guidelines</a></p></div>`,
  });
}

/** The README section every setup step is in. */
export const goLiveChecklist = 'README.md, section \u201cGo-live checklist\u201d';

/**
 * What a first DTI administrator sees on every page while the directory has nobody in it
 * (sign-in/directory-gate.ts): why, and the go-live checklist's import step, dry run first.
 */
export function directorySetupPage(email: string): string {
  const command = 'npm run directory -- import people.csv departments.csv roles.csv --target aws --stack <stack name>';
  return page({
    title: 'The directory is empty',
    viewer: {
      person: { name: email },
      nav: [
        { href: '/', label: 'Directory setup' },
        { href: '/guidelines', label: 'Comment guidelines' },
      ],
    },
    body: html`<div class="card"><h1>The directory is empty</h1>
      ${alert(
        'warning',
        html`<p class="margin-0">You are signed in as ${email}, one of this deployment’s first DTI administrators (<code>firstAdminEmails</code>). Nobody else can sign in, and every page shows this one, until the directory has people in it.</p>`,
        { role: 'status' },
      )}
      <h2>What to do</h2>
      ${processList([
        {
          heading: 'Export the directory',
          body: html`<p>People from HR, departments (with their directors and designees) and the City-wide roles, as <code>people.csv</code>, <code>departments.csv</code> and <code>roles.csv</code> (their columns: the README, “Directory import”). Put yourself in <code>people.csv</code>, in department <code>DTI</code>.</p>`,
        },
        {
          heading: 'Dry run the import',
          body: html`<p>With AWS credentials for this account, from the project: <code>${command} --dry-run</code>. It checks the files and says what it would change; it changes nothing.</p>`,
        },
        {
          heading: 'Import',
          body: html`<p>The same command without <code>--dry-run</code>. The import goes through the HR event bus, as HR’s own updates do.</p>`,
        },
        {
          heading: 'Reload this page',
          body: html`<p>Once the directory has people, you are one of them: what you may do comes from your entry (DTI administers the directory), and the first-administrator list no longer counts.</p>`,
        },
      ])}
      <p>The rest of going live (routing, the first annual review date, alarms) is in the go-live checklist: ${goLiveChecklist}.</p></div>`,
  });
}
