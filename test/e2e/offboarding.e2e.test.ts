import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserTests, results, squash, text, tick } from '../support/e2e.ts';
import { grantFor, hire, seedAccounts, separate } from '../support/offboarding.ts';

/**
 * Separation offboarding as people do it, in a real browser against the real local stack: HR
 * reports a separation, the remaining admin opens the rotation email in the SES emulator's mailbox
 * viewer, follows its link, reveals the new password, sets it and confirms, and DTI's offboarding
 * record shows the account rotated and by whom, without the password.
 */

const library = { code: 'LIB', name: 'Albuquerque Public Library' };

const e2e = browserTests();
const { newPerson, signIn, openFromMailbox } = e2e;

describe('separation offboarding, in the browser', () => {
  it('has the remaining admin reveal, set and confirm the new password from the emailed link, and records it for DTI without the password', async () => {
    const leaver = await hire(e2e.stack, library.code, 'Leaving');
    const stayer = await hire(e2e.stack, library.code, 'Staying');
    const [account] = await seedAccounts(e2e.stack, 1, [grantFor(leaver), grantFor(stayer)], library);
    const { handle } = account as { accountId: string; handle: string };

    // The remaining admin is signed in at her desk before the separation comes through.
    const admin = await newPerson();
    await signIn(admin, { personId: stayer.id }, '/requests');

    const put = await separate(e2e.stack, leaver.id);
    expect(put.status).toBe(202);
    const offboardingId = String(put.body.offboardingId);

    const { opened: task } = await openFromMailbox(admin, {
      to: stayer.email,
      // The space ends the handle: the subject goes on with the department.
      subject: { startsWith: `Action needed: change the shared password of Facebook ${handle} ` },
      link: 'Open the password change',
    });
    expect(new URL(task.url()).pathname).toMatch(/^\/tasks\/[A-Za-z0-9_-]+$/);
    await task.getByRole('heading', { level: 1, name: new RegExp(`${handle}$`) }).waitFor();
    expect(await text(task.locator('main'))).toContain(`${stayer.name}, this is for you.`);
    // Opening the link shows no password, only the button that reveals it.
    const before = await task.content();
    expect(await task.locator('#new-password, .secret').count()).toBe(0);
    expect(await task.getByRole('button', { name: 'Show the new password', exact: true }).isVisible()).toBe(true);
    await task.screenshot({ path: join(results, 'e2e-offboarding-task.png'), fullPage: true });

    await task.getByRole('button', { name: 'Show the new password', exact: true }).click();
    const shown = task.locator('p.secret#new-password');
    await shown.waitFor();
    const password = squash(await shown.textContent());
    expect(password).toMatch(/^\S{24}$/);
    expect(before).not.toContain(password);

    await tick(task.getByRole('checkbox', { name: `I have set this password on Facebook ${handle}` }));
    await task.getByRole('button', { name: 'Confirm the password is changed' }).click();
    await task.getByRole('heading', { name: `Thank you, ${stayer.name}` }).waitFor();
    expect(await task.title()).toMatch(/^Done/);
    expect(await text(task.getByRole('status'))).toContain(`The new password for Facebook ${handle} is confirmed`);
    expect(await task.content()).not.toContain(password);

    // The last task settled resumes the execution, which closes the record and tells DTI.
    expect((await e2e.stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');

    // DTI's view of the record (O.b).
    const samuel = await newPerson();
    await signIn(samuel, { personId: 'E400' }, '/offboardings');
    await samuel.goto(`${e2e.stack.baseUrl}/offboardings/${offboardingId}`);
    const heading = samuel.getByRole('heading', { level: 1 });
    expect(await text(heading)).toContain(`Offboarding of ${leaver.name}`);
    expect(await text(heading.locator('.app-status'))).toBe('completed');
    const accounts = samuel.locator('table').filter({ has: samuel.getByRole('columnheader', { name: 'Shared password' }) });
    const row = accounts.locator('tbody tr').filter({ hasText: handle });
    expect(await row.count()).toBe(1);
    const cells = row.getByRole('cell');
    expect(await text(cells.nth(1))).toMatch(/^admin grant revoked /);
    expect(await text(cells.nth(2))).toMatch(new RegExp(`^rotated — confirmed by ${stayer.name}`));
    const history = squash(await samuel.locator('main').textContent());
    expect(history).toContain(`New password for Facebook ${handle} revealed to ${stayer.name}`);
    expect(history).toContain(`done by ${stayer.name}`);
    expect(await samuel.content()).not.toContain(password);
    await samuel.screenshot({ path: join(results, 'e2e-offboarding-record.png'), fullPage: true });
  });
});
