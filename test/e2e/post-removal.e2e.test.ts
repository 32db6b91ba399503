import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '#records/export';
import { browserTests, grantLines, results, squash, text, tick } from '../support/e2e.ts';
import { denverDaysFromNow, denverToday, grantFor, type Hire, hire, seedAccounts, updateEmployee } from '../support/offboarding.ts';

/**
 * Supervisor-approved post removal (M.c, H) as people do it, in a real browser against the real
 * local stack: the requester finds the account in the registry and asks to delete a post, giving
 * its content as it stands; the supervisor HR names opens the email in the SES emulator's mailbox
 * viewer and approves; the requester opens the next email, removes the post and confirms; and the
 * City Clerk's records contact downloads the account's records export with all of it inside.
 */

const parks = { code: 'PRD', name: 'Parks and Recreation' };
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const e2e = browserTests();
const { newPerson, signIn, openFromMailbox } = e2e;

/** A definition list's terms and their descriptions, descriptions exactly as the page holds them. */
async function definitions(dl: Locator): Promise<Map<string, string>> {
  const [terms, values] = [await dl.locator('dt').allTextContents(), await dl.locator('dd').allTextContents()];
  expect(values).toHaveLength(terms.length);
  return new Map(terms.map((t, i) => [squash(t), values[i] ?? '']));
}

/** HR records who `person` reports to: a later "Employee Updated" event, their whole record with the supervisor changed. */
async function reportsTo(person: Hire, supervisor: Hire) {
  const put = await updateEmployee(e2e.stack, person.id, { supervisorId: supervisor.id });
  if (put.status !== 202 || put.body.result !== 'applied') throw new Error(`supervisor update failed: ${JSON.stringify(put.body)}`);
}

const sha256 = (b: Uint8Array | undefined) =>
  createHash('sha256')
    .update(b ?? new Uint8Array())
    .digest('hex');

type Row = Record<string, unknown>;

describe('post removal, in the browser', () => {
  it('is requested from the registry, approved from the supervisor’s email, confirmed removed from the requester’s, and exported for the City Clerk', async () => {
    const supervisor = await hire(e2e.stack, parks.code, 'Supervising');
    const requester = await hire(e2e.stack, parks.code, 'Requesting');
    await reportsTo(requester, supervisor);
    const [account] = await seedAccounts(e2e.stack, 1, [grantFor(requester, 'POSTER')], parks);
    const { accountId, handle } = account as { accountId: string; handle: string };
    const label = `Facebook ${handle}`;

    // The post as it stands: markup that must stay text, an ampersand, doubled and trailing spaces
    // a public record keeps as they are (H). One line: a browser submits a textarea's line breaks as
    // CRLF (HTML spec), which the record keeps, while the pages show them as LF.
    const post = {
      url: `https://www.facebook.com/abqparks/posts/${randomBytes(6).toString('hex')}`,
      text: 'Pools & splash pads open <b>tag</b> June 1 —  bring sunscreen!  ',
      author: 'ABQ Parks & Recreation',
      publishedAt: 'May 20, 2026 at 9:04 AM',
      media: 'https://cdn.example.org/pool.jpg?size=large&v=2',
    };
    const reason = 'The post gave the wrong date for the pool opening.';

    // The requester, at her desk: from the registry to the form.
    const asker = await newPerson();
    await signIn(asker, { personId: requester.id }, '/accounts');
    await asker.getByRole('heading', { name: 'Registry of City social media accounts' }).waitFor();
    // The registry's row links to the account's page, which lists who posts for it (B).
    await asker.locator('tbody tr').filter({ hasText: handle }).getByRole('link', { name: label }).click();
    await asker.getByRole('heading', { level: 1, name: label }).waitFor();
    expect(new URL(asker.url()).pathname).toBe(`/accounts/${accountId}`);
    expect(await grantLines(asker)).toContainEqual(expect.stringContaining(`${requester.name} (authorized by Dolores Baca) poster`));
    await asker.getByRole('link', { name: 'Request a post removal' }).click();

    await asker.getByRole('heading', { name: 'Request a post removal' }).waitFor();
    expect(new URL(asker.url()).pathname).toBe(`/accounts/${accountId}/removals/new`);
    expect(await text(asker.locator('main'))).toContain(`Your supervisor in the HR directory, ${supervisor.name}, decides by email`);
    await asker.getByRole('textbox', { name: /^Post/ }).fill(post.url);
    await tick(asker.getByRole('radio', { name: 'Delete the post' }));
    await asker.getByRole('textbox', { name: /^Reason/ }).fill(reason);
    await asker.getByRole('textbox', { name: /^Text/ }).fill(post.text);
    await asker.getByRole('textbox', { name: /^Author/ }).fill(post.author);
    await asker.getByRole('textbox', { name: /^Published/ }).fill(post.publishedAt);
    await asker.getByRole('textbox', { name: /^Media links/ }).fill(post.media);
    await asker.screenshot({ path: join(results, 'e2e-post-removal-form.png'), fullPage: true });
    await asker.getByRole('button', { name: 'Ask my supervisor' }).click();

    await asker.waitForURL(/\/requests\/pr-[^/?]+\?submitted=1$/);
    const requestId = decodeURIComponent(new URL(asker.url()).pathname.split('/').pop() ?? '');
    expect(await text(asker.getByRole('status'))).toContain('Your request is submitted');
    expect(await text(asker.getByRole('heading', { level: 1 }))).toBe(`Removal of a post from ${label} (delete) pending`);
    const pendingRecord = await definitions(asker.locator('.card').filter({ has: asker.getByRole('heading', { name: 'Public record (H)' }) }));
    expect(squash(pendingRecord.get('Removal') ?? '')).toMatch(/^Not removed yet/);
    const recordId = squash(pendingRecord.get('Record') ?? '');
    expect(recordId).not.toBe('');

    // The supervisor, at his own computer, from his email: the post as preserved, its markup as text.
    const boss = await newPerson();
    const decision = await openFromMailbox(boss, {
      to: supervisor.email,
      subject: `Decision needed: remove a post from ${label}`,
      link: 'Review and decide',
    });
    const inEmail = decision.email.frameLocator('iframe').locator('dd').filter({ hasText: '<b>tag</b>' });
    expect(await inEmail.textContent()).toBe(post.text);
    expect(await decision.email.frameLocator('iframe').locator('dd b').count()).toBe(0);

    const approval = decision.opened;
    await approval.getByRole('heading', { name: `Supervisor: removal of a post from ${label} (delete)` }).waitFor();
    expect(await text(approval.locator('main'))).toContain(`${supervisor.name}, your decision is requested.`);
    const facts = await definitions(approval.locator('dl'));
    expect(facts.get('Post text, as it stands')).toBe(post.text);
    expect(facts.get('Author')).toBe(post.author);
    expect(facts.get('Published')).toBe(post.publishedAt);
    expect(facts.get('Media links')).toBe(post.media);
    expect(facts.get('Post')).toBe(post.url);
    expect(facts.get('Reason')).toBe(reason);
    expect(facts.get('Preserved as record (H)')).toBe(recordId);
    // Escaped, never rendered: the page holds no bold element at all.
    expect(await approval.locator('b').count()).toBe(0);
    await approval.screenshot({ path: join(results, 'e2e-post-removal-approval.png'), fullPage: true });
    await approval.getByRole('button', { name: 'Approve', exact: true }).click();
    // Approving is final: the page asks once more before anything is recorded.
    await approval.getByRole('heading', { name: 'Approve this request?' }).waitFor();
    await approval.getByRole('button', { name: 'Yes, approve' }).click();
    await approval.getByRole('heading', { name: `Thank you, ${supervisor.name}` }).waitFor();
    expect(await text(approval.getByRole('status'))).toBe(`Your decision (approved) on request ${requestId} is recorded.`);

    // The requester, from her next email: one button, nothing to reject.
    const { opened: confirm } = await openFromMailbox(asker, {
      to: requester.email,
      subject: `Approved by ${supervisor.name}: remove it now, then confirm — ${label}`,
      link: 'Confirm the removal',
    });
    await confirm.getByRole('heading', { name: `Approved by ${supervisor.name}: remove it now, then confirm` }).waitFor();
    expect(await confirm.title()).toMatch(/^Confirmation/);
    expect(await text(confirm.locator('main'))).toContain(`${requester.name}, the removal is approved: please do it, then confirm here.`);
    const buttons = confirm.locator('#decision').getByRole('button');
    expect((await buttons.allTextContents()).map(squash)).toEqual(['I have removed it']);
    const before = Date.now();
    await confirm.getByRole('button', { name: 'I have removed it' }).click();
    await confirm.getByRole('heading', { name: `Thank you, ${requester.name}` }).waitFor();
    const after = Date.now();
    expect(await confirm.title()).toMatch(/^Confirmation recorded/);
    expect(await text(confirm.getByRole('status'))).toBe(`Your confirmation (confirmed removed) on request ${requestId} is recorded.`);

    // The confirmation resumes the execution, which closes the request.
    expect((await e2e.stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');

    await asker.goto(`${e2e.stack.baseUrl}/requests/${requestId}`);
    expect(await text(asker.getByRole('heading', { level: 1 }).locator('.app-status'))).toBe('approved');
    const record = await definitions(asker.locator('.card').filter({ has: asker.getByRole('heading', { name: 'Public record (H)' }) }));
    expect(squash(record.get('Removal') ?? '')).toMatch(new RegExp(`^Removed: confirmed by ${requester.name} on .+ M[DS]T$`));
    expect(squash(record.get('Integrity') ?? '')).toMatch(/^intact the content matches the checksum/);
    expect(squash(record.get('Record') ?? '')).toBe(recordId);
    const checksum = squash(record.get('SHA-256') ?? '');
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect((await definitions(asker.locator('.card').first().locator('dl'))).get('Post text, as it stands')).toBe(post.text);
    const history = await text(asker.getByRole('table'));
    expect(history).toContain(`Supervisor: approved by ${supervisor.name}`);
    expect(history).toContain(`Removal, confirmed by the requester: confirmed removed by ${requester.name}`);
    expect(history).toContain(`Closed: approved Removal confirmed by ${requester.name}`);
    await asker.screenshot({ path: join(results, 'e2e-post-removal-request.png'), fullPage: true });

    // The City Clerk's records contact exports the account's records, covering today.
    const range = { from: denverDaysFromNow(-7), to: denverToday() };
    const teresa = await newPerson();
    await signIn(teresa, { personId: 'E600' }, '/records/export');
    await teresa.getByRole('heading', { name: 'Records export' }).waitFor();
    await teresa.getByRole('combobox', { name: 'Account', exact: true }).selectOption({ label: `${label} (${parks.name})` });
    await teresa.getByLabel(/^From/).fill(range.from);
    await teresa.getByLabel(/^To/).fill(range.to);
    const [download] = await Promise.all([teresa.waitForEvent('download'), teresa.getByRole('button', { name: 'Download the export' }).click()]);
    expect(download.suggestedFilename()).toBe(`records-${accountId}-${range.from}-${range.to}.zip`);
    const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const manifest = JSON.parse(decoder.decode(files['manifest.json'])) as Manifest;
    const doc = JSON.parse(decoder.decode(files['export.json'])) as Record<string, Row[]>;

    // The post, exactly as typed, with the checksum the request page shows.
    expect(doc.preservedPosts).toEqual([
      expect.objectContaining({
        recordId,
        accountId,
        account: label,
        recordedById: requester.id,
        recordedByName: requester.name,
        requestId,
        postRef: post.url,
        action: 'DELETE',
        text: post.text,
        author: post.author,
        publishedAt: post.publishedAt,
        mediaLinks: [post.media],
        sha256: checksum,
        intact: true,
      }),
    ]);
    // The request, closed approved, with who confirmed the removal and when.
    expect(doc.requests).toEqual([
      expect.objectContaining({
        requestId,
        kind: 'POST_REMOVAL',
        status: 'APPROVED',
        accountId,
        requesterId: requester.id,
        requesterName: requester.name,
        postRef: post.url,
        action: 'DELETE',
        reason,
        preservedRecordId: recordId,
        removedByName: requester.name,
        outcomeReason: `Removal confirmed by ${requester.name}`,
      }),
    ]);
    const removedAt = Date.parse(String(doc.requests?.[0]?.removedAt));
    expect(removedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(removedAt).toBeLessThanOrEqual(after);
    // The supervisor's decision, then the requester's confirmation at the same instant as removedAt.
    expect(doc.decisions).toEqual([
      expect.objectContaining({
        requestId,
        requestKind: 'POST_REMOVAL',
        step: 0,
        stepTitle: 'Supervisor',
        round: 'approver',
        approverId: supervisor.id,
        outcome: 'APPROVED',
        decidedById: supervisor.id,
        decidedByName: supervisor.name,
      }),
      expect.objectContaining({
        requestId,
        step: 1,
        stepTitle: 'Removal, confirmed by the requester',
        outcome: 'APPROVED',
        decidedById: requester.id,
        decidedByName: requester.name,
        decidedAt: doc.requests?.[0]?.removedAt,
      }),
    ]);

    // The manifest counts what the files hold, and each file is the one it lists.
    expect(manifest.scope).toEqual({ kind: 'account', accountId });
    expect(manifest.generatedBy).toEqual({ id: 'E600', name: 'Teresa Padilla' });
    expect(manifest.counts).toEqual({
      requests: 1,
      decisions: 2,
      preservedPosts: 1,
      edits: 0,
      moderation: 0,
      grants: 1,
      offboardingTasks: 0,
      platformChanges: 0,
      reviews: 0,
      departmentPolicies: 0,
    });
    for (const [key, count] of Object.entries(manifest.counts)) expect(doc[key], key).toHaveLength(count);
    for (const f of manifest.files) {
      expect(f.sha256, f.name).toBe(sha256(files[f.name]));
      expect(f.bytes, f.name).toBe(files[f.name]?.byteLength);
    }
    expect(manifest.files.find((f) => f.name === 'preserved-posts.csv')?.rows).toBe(1);
    expect(manifest.files.find((f) => f.name === 'decisions.csv')?.rows).toBe(2);
    expect(manifest.records).toEqual([{ recordId, kind: 'PRESERVED_POST', file: 'preserved-posts.csv', sha256: checksum, intact: true }]);
    // The CSV keeps the text as typed too (it quotes nothing here: no comma, quote or line break).
    expect(decoder.decode(files['preserved-posts.csv'])).toContain(`,${post.text},`);
  });
});
