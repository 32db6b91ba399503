import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { captureOutput } from '../support/log-capture.ts';
import { approvedAccount, as, mailbox, startTestStack, waitForEmail, waitUntilWaiting } from '../support/harness.ts';
import { taskLinkIn } from '../support/offboarding.ts';

/**
 * Every account's credential known and current (O.b, O.c), on the local stack with the real
 * credentialCapture ASL: approval opens the capture task; the first login is recorded, then
 * confirmed; DTI and the Communications Coordinator view it with a reason (recorded, admins told);
 * an admin changes the password; and no password appears anywhere but the responses that show it.
 */
let stack: LocalStack;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  output = captureOutput();
  stack = await startTestStack({ logLevel: 'DEBUG' });
});
afterAll(async () => {
  output?.restore();
  await stack?.stop();
});

interface CredentialJson {
  status: string;
  pending: boolean;
  versionId?: string;
  health: { onFile: boolean; confirmed: boolean; problems: string[]; peopleWithAccess: number; twoFactor: string };
  views: { by: string; reason: string }[];
  login?: { username: string; recoveryContact: string; twoFactorHolder?: string };
  password?: string;
  fields?: Record<string, string>;
  notice?: string;
}

const credential = (accountId: string) => `/accounts/${accountId}/credential`;
const read = async (who: string, accountId: string) => {
  const res = await as(stack, who).get(credential(accountId));
  return { status: res.status, body: (await res.json()) as CredentialJson };
};
const post = async (who: string, accountId: string, body: Record<string, unknown>) => {
  const res = await as(stack, who).post(credential(accountId), body);
  return { status: res.status, body: (await res.json()) as CredentialJson & { message?: string } };
};
const login = (password: string) => ({
  action: 'record',
  username: 'parks-social@cabq.example',
  password,
  passwordAgain: password,
  recoveryContact: '505-555-0142',
  twoFactor: 'yes',
  twoFactorHolder: 'the Parks communications phone',
});
const labelOf = async (accountId: string) => {
  const { account } = (await (await as(stack, 'E400').get(`/accounts/${accountId}`)).json()) as { account: { platformName: string; handle: string } };
  return `${account.platformName} ${account.handle}`;
};
const captureOf = (accountId: string) => `cap-${accountId.slice(5)}`;
const scan = async (table: string) => JSON.stringify((await DynamoDBDocumentClient.from(stack.client).send(new ScanCommand({ TableName: table }))).Items ?? []);

describe('credentials on file (O.b, O.c)', () => {
  const passwords: string[] = [];

  it('captures a new account’s first login by task, reports it unconfirmed until confirmed, and settles the task', async () => {
    const accountId = await approvedAccount(stack);
    // Both named admins get the capture task, by signed-in link.
    const label = await labelOf(accountId);
    const task = await waitForEmail(
      stack,
      (e) => e.to.includes('agallegos@cabq.example') && e.subject.startsWith(`Action needed: record the login of ${label} `),
    );
    await waitForEmail(stack, (e) => e.to.includes('tsandoval@cabq.example') && e.subject === task.subject);
    expect(task.text).not.toMatch(/password:/i);
    const link = taskLinkIn(task);
    const open = await as(stack, 'E102').get(`/tasks/${link.taskId}?s=${link.secret}`);
    expect(((await open.json()) as { task: string; link: string }).link).toBe('open');

    let c = await read('E102', accountId);
    expect(c.body.status).toBe('NOT_ON_FILE');
    expect(c.body.health.problems).toContain('No credential is on file with DTI (O.b).');

    const first = 'Sandia-Peak-7781!';
    passwords.push(first);
    const mismatch = await post('E102', accountId, { ...login(first), passwordAgain: 'something else' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.fields?.passwordAgain).toBe('the two passwords do not match');
    expect((await read('E102', accountId)).body.status).toBe('NOT_ON_FILE');

    const recorded = await post('E102', accountId, login(first));
    expect(recorded.status).toBe(200);
    c = await read('E102', accountId);
    // Recorded in the vault, but nobody has signed in with it: never reported as confirmed.
    expect(c.body.status).toBe('RECORDED');
    expect(c.body.health.confirmed).toBe(false);
    expect(c.body.health.problems).toContain('A login is recorded but nobody has confirmed it works yet.');
    expect((await post('E400', accountId, { action: 'view', reason: 'Checking the new account before launch' })).status).toBe(409);

    // The other admin cannot confirm what E102 recorded: only who recorded it knows they signed in with it.
    const notTheirs = await post('E103', accountId, { action: 'confirm', versionId: c.body.versionId, signedIn: 'yes' });
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.body.message).toBe('Only Ana Gallegos, who recorded it, can confirm they signed in with it.');
    const unticked = await post('E102', accountId, { action: 'confirm', versionId: c.body.versionId });
    expect(unticked.status).toBe(400);
    const confirmed = await post('E102', accountId, { action: 'confirm', versionId: c.body.versionId, signedIn: 'yes' });
    expect(confirmed.status).toBe(200);
    c = await read('E102', accountId);
    expect(c.body.status).toBe('CONFIRMED');
    expect(c.body.health.twoFactor).toBe('on, held by the Parks communications phone');
    expect(c.body.health.peopleWithAccess).toBe(2);
    expect(c.body.health.problems).toEqual([]);

    // DTI and the Communications Coordinator are told (O.b), and the capture's execution finished.
    await waitForEmail(
      stack,
      (e) => e.to.includes('dti-social-registry@cabq.example') && e.subject.startsWith('Credential change:') && e.text.includes('recorded and confirmed'),
    );
    await waitForEmail(stack, (e) => e.to.includes('rapodaca@cabq.example') && e.subject.startsWith('Credential change:'));
    await expect.poll(async () => (await stack.sfn.result(captureOf(accountId)))?.status).toBe('SUCCEEDED');
    const done = await as(stack, 'E102').get(`/tasks/${link.taskId}?s=${link.secret}`);
    expect(done.status).toBe(409);

    // Viewed by DTI and by the Coordinator, each with a reason; the admins are told each time.
    const noReason = await post('E400', accountId, { action: 'view', reason: '' });
    expect(noReason.status).toBe(403);
    expect((await read('E400', accountId)).body.views).toEqual([]);
    const dti = await post('E400', accountId, { action: 'view', reason: 'Records request RR-2026-114 needs the page checked' });
    expect(dti.status).toBe(200);
    expect(dti.body.password).toBe(first);
    expect(dti.body.login?.username).toBe('parks-social@cabq.example');
    const coordinator = await post('E502', accountId, { action: 'view', reason: 'Emergency post during the Bosque fire' });
    expect(coordinator.body.password).toBe(first);
    expect((await read('E400', accountId)).body.views.map((v) => v.reason)).toEqual([
      'Emergency post during the Bosque fire',
      'Records request RR-2026-114 needs the page checked',
    ]);
    expect(task.subject).toBe(`Action needed: record the login of ${label} (Parks and Recreation)`);
    const told = (await mailbox(stack)).filter((e) => e.subject === `The login of ${label} was viewed`);
    expect(told.map((e) => e.to[0]).sort()).toEqual(['agallegos@cabq.example', 'agallegos@cabq.example', 'tsandoval@cabq.example', 'tsandoval@cabq.example']);

    // Nobody else: the director manages but may not view; someone unrelated may not even open it.
    const director = await post('E100', accountId, { action: 'view', reason: 'I would like to see it please' });
    expect(director.status).toBe(403);
    expect(director.body.message).toContain('Only DTI and the Communications Coordinator (or designee)');
    expect((await read('E600', accountId)).status).toBe(403);
    expect((await read('E400', accountId)).body.views).toHaveLength(2);

    // An admin's password change, generated: staged, revealed to them, confirmed, then current.
    const generated = await post('E103', accountId, { action: 'change', mode: 'generate' });
    expect(generated.status).toBe(200);
    const next = generated.body.password as string;
    passwords.push(next);
    expect(next).toHaveLength(24);
    expect((await post('E400', accountId, { action: 'view', reason: 'Before the change is confirmed' })).body.password).toBe(first);
    await post('E103', accountId, { action: 'confirm', versionId: generated.body.versionId, signedIn: 'yes' });
    expect((await post('E400', accountId, { action: 'view', reason: 'After the change was confirmed' })).body.password).toBe(next);
    await waitForEmail(stack, (e) => e.to.includes('dti-social-registry@cabq.example') && e.text.includes('changed the password of'));

    // The secret scan: neither password in any log line, email, table item, saved execution or the local vault's own storage (sealed there).
    const places = {
      logs: output.logs.join(''),
      emails: JSON.stringify(await mailbox(stack)),
      table: await scan(stack.tableName),
      executions: await scan(stack.sfn.executionsTable),
      vaultStorage: await scan('local-secrets-manager'),
    };
    expect(places.logs).toContain('credential confirmed');
    for (const password of passwords) {
      for (const [place, text] of Object.entries(places)) expect(text.includes(password), `password found in ${place}`).toBe(false);
    }
  });

  it('reminds the admins, then escalates the capture to the department director', async () => {
    const accountId = await approvedAccount(stack);
    const caseId = captureOf(accountId);
    const what = `record the login of ${await labelOf(accountId)} (Parks and Recreation)`;
    await waitForEmail(stack, (e) => e.to.includes('agallegos@cabq.example') && e.subject === `Action needed: ${what}`);
    await waitUntilWaiting(stack, caseId);
    expect(stack.sfn.expireWaits(caseId)).toBe(1);
    await waitForEmail(stack, (e) => e.to.includes('agallegos@cabq.example') && e.subject === `Reminder: ${what}`);
    await waitUntilWaiting(stack, caseId);
    expect(stack.sfn.expireWaits(caseId)).toBe(1);
    // The director: the department's first decider who is not one of the admins already asked.
    const escalated = await waitForEmail(stack, (e) => e.to.includes('dbaca@cabq.example') && e.subject === `Escalated to you: ${what}`);
    expect(escalated.text).toContain('Nobody acted on this in time');
    expect((await read('E100', accountId)).body.status).toBe('NOT_ON_FILE');
  });

  it('takes an admin change reported from the platform, reconciles it with the grants and tells DTI; lists failing accounts to DTI only', async () => {
    const accountId = await approvedAccount(stack);
    const label = await labelOf(accountId);
    const unknownAction = await post('E102', accountId, { action: 'delete' });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body.fields?.action).toBe('Choose one of the page’s forms.');
    const noWay = await post('E102', accountId, { action: 'admin', person: 'tsandoval@cabq.example' });
    expect(noWay.status).toBe(400);
    expect(noWay.body.fields?.change).toBe('say whether someone was added or removed as an admin on the platform');

    const added = await post('E102', accountId, { action: 'admin', change: 'ADDED', person: 'mchavez@cabq.example' });
    expect(added.status).toBe(200);
    const removed = await post('E102', accountId, { action: 'admin', change: 'REMOVED', person: 'tsandoval@cabq.example' });
    expect(removed.status).toBe(200);
    const account = (await (await as(stack, 'E400').get(`/accounts/${accountId}`)).json()) as {
      grants: { personId: string; role: string; status: string; revokedReason?: string }[];
    };
    expect(account.grants.filter((g) => g.status === 'ACTIVE').map((g) => g.personId)).toEqual(['E102']);
    const dti = (await mailbox(stack)).filter((e) => e.to.includes('dti-social-registry@cabq.example') && e.subject === `Credential change: ${label}`);
    expect(dti.slice(0, 2).map((e) => e.text.match(/reported that (.*?) \(grants: (.*?)\)\./)?.slice(1))).toEqual([
      [
        'Marcus Chavez was added as an admin of ' + label + ' on the platform',
        'holds no ADMIN grant: the director must authorize them (B), or they must be removed',
      ],
      ['Tom Sandoval was removed as an admin of ' + label + ' on the platform', 'ADMIN grant revoked'],
    ]);
    // The last admin reported removed is not revoked: nobody would be left to act (O.c).
    const last = await post('E102', accountId, { action: 'admin', change: 'REMOVED', person: 'agallegos@cabq.example' });
    expect(last.body.notice).toBe(
      'Reported: Ana Gallegos, the account\u2019s only ADMIN grant, not revoked: the director must authorize another admin first. DTI and the Communications Coordinator have been told.',
    );
    // One admin left, and no credential on file: both fail O.c on DTI's list; nobody but DTI and the Coordinator sees it.
    const c = await read('E102', accountId);
    expect(c.body.health.problems).toEqual(['No credential is on file with DTI (O.b).', 'Only 1 current City employee can sign in; at least 2 must (O.c).']);
    const list = await (await fetch(`${stack.baseUrl}/credentials`, { headers: { cookie: 'dev_user=E400', accept: 'text/html' } })).text();
    expect(list).toContain(label);
    expect((await as(stack, 'E102').get('/credentials')).status).toBe(403);
  });
});
