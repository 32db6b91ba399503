import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vault } from '../../functions/adapters/vault.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { captureOutput } from '../support/log-capture.ts';
import { mailbox, startTestStack, waitUntilWaiting } from '../support/harness.ts';
import { grantFor, hire, rotate, seedAccounts, separate, taskAction, taskLinkFor } from '../support/offboarding.ts';

/**
 * The passwords offboarding generates must appear nowhere but the vault and the one response that
 * reveals them: not in any log line (at DEBUG), not in any email, not in the governance table, not in
 * the saved executions, and not in clear in the local vault's own storage.
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

const scan = async (table: string) => JSON.stringify((await DynamoDBDocumentClient.from(stack.client).send(new ScanCommand({ TableName: table }))).Items ?? []);

describe('credentials after offboarding', () => {
  it('appear in no log, email, table item or saved execution', async () => {
    const [leaver, stayer] = [await hire(stack, 'PRD', 'Leaver'), await hire(stack, 'PRD', 'Stayer')];
    const accounts = await seedAccounts(stack, 3, [grantFor(leaver), grantFor(stayer)]);
    const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
    const links = await Promise.all(accounts.map((a) => taskLinkFor(stack, stayer.email, a.handle)));
    // A reminder round too, so every email kind has been sent before the scan.
    await waitUntilWaiting(stack, offboardingId);
    stack.sfn.expireWaits(offboardingId);
    await taskLinkFor(stack, stayer.email, (accounts[0] as { handle: string }).handle, /^Reminder: /);

    const passwords: string[] = [];
    // One revealed twice and left unconfirmed, the others confirmed.
    const [first, ...rest] = links as [(typeof links)[0], ...typeof links];
    for (let i = 0; i < 2; i++) {
      const res = await taskAction(stack, stayer.id, first, { action: 'reveal' });
      passwords.push(((await res.json()) as { password: string }).password);
    }
    for (const link of rest) passwords.push(await rotate(stack, stayer.id, link));
    expect(new Set(passwords).size).toBe(3);

    // The controls: the capture sees the functions' logs, and the vault does hold the passwords.
    const logText = output.logs.join('');
    expect(logText).toContain('rotation password revealed');
    expect(logText).toContain(offboardingId);
    const stored = await Promise.all(accounts.map(async (a) => Object.keys(await vault.versions(a.accountId))));
    expect(stored.every((versions) => versions.length === 1)).toBe(true);

    const places = {
      logs: logText,
      emails: JSON.stringify(await mailbox(stack)),
      table: await scan(stack.tableName),
      executions: await scan(stack.sfn.executionsTable),
      vaultStorage: await scan('local-secrets-manager'),
    };
    for (const password of passwords) {
      for (const [place, text] of Object.entries(places)) {
        expect(text.includes(password), `password found in ${place}`).toBe(false);
        expect(text.includes(Buffer.from(password).toString('base64')), `base64 password found in ${place}`).toBe(false);
      }
    }
  });
});
