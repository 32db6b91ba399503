/**
 * I. DTI's credentials list (issue 14, O.c): GET /credentials reads every active account's file —
 * one Query of the registry index, then one consistent Query of each account's partition, and one
 * GetItem per distinct grantee — so its cost grows with the number of active accounts. Measured at
 * three registry sizes on one local stack: each size's accounts (two admins each, half with a
 * confirmed credential) are added unmetered, then the page is fetched three times, metered.
 */
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fmtInt, fmtMs, fmtUnits, printTable } from './print.ts';
import type { StackSession } from './stack-session.ts';
import { median, round } from './stats.ts';

export const CREDENTIAL_SIZES = [50, 200, 800] as const;
const admins = ['E102', 'E103', 'E104', 'E105', 'E200', 'E201'];

export interface CredentialsListRun {
  accounts: number;
  ms: number[];
  readUnits: number;
  calls: number;
  failing: number;
}

export async function benchCredentialsList({ stack, meter, recorder }: StackSession): Promise<{ runs: CredentialsListRun[]; notes: string[] }> {
  const { accountItem } = await import('#adapters/registry-store');
  const { grantItem } = await import('#adapters/store');
  const db = DynamoDBDocumentClient.from(stack.client);
  const runs: CredentialsListRun[] = [];
  let made = 0;
  for (const size of CREDENTIAL_SIZES) {
    const items: Record<string, unknown>[] = [];
    for (; made < size; made += 1) {
      const accountId = `acct-bench-${String(made).padStart(5, '0')}`;
      const at = '2026-11-01T12:00:00.000Z';
      const people = [admins[made % admins.length] as string, admins[(made + 1) % admins.length] as string];
      items.push(
        accountItem({
          accountId,
          platformId: 'instagram',
          platformName: 'Instagram',
          handle: `@bench${made}`,
          departmentCode: 'PRD',
          departmentName: 'Parks and Recreation',
          status: 'ACTIVE',
          admins: [],
          sourceRequestId: `na-bench-${made}`,
          createdAt: at,
        }),
      );
      for (const personId of people) {
        items.push(
          grantItem({
            accountId,
            personId,
            personName: personId,
            role: 'ADMIN',
            receivesCredential: true,
            authorizedById: 'E100',
            authorizedByName: 'Bench',
            authorizedAt: at,
            sourceRequestId: `na-bench-${made}`,
            status: 'ACTIVE',
          }),
        );
      }
      if (made % 2 === 0) {
        const login = { username: 'bench', recoveryContact: 'bench', twoFactor: false };
        items.push({
          PK: `ACCOUNT#${accountId}`,
          SK: 'CREDENTIAL',
          entity: 'Credential',
          accountId,
          status: 'CONFIRMED',
          currentVersionId: 'v',
          confirmedAt: at,
          login,
          updatedAt: at,
        });
      }
    }
    for (let i = 0; i < items.length; i += 25) {
      await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const ms: number[] = [];
    let readUnits = 0;
    let calls = 0;
    let failing = 0;
    for (let i = 0; i < 3; i += 1) {
      meter.enabled = true;
      recorder.start(`credentials list at ${size}`);
      const started = performance.now();
      const res = await fetch(`${stack.baseUrl}/credentials`, { headers: { cookie: 'dev_user=E400', accept: 'text/html' } });
      const page = await res.text();
      ms.push(performance.now() - started);
      const ops = recorder.stop();
      if (res.status !== 200) throw new Error(`GET /credentials answered ${res.status}`);
      readUnits = round(
        ops.reduce((s, o) => s + o.read, 0),
        1,
      );
      calls = ops.length;
      failing = Number(/<p class="usa-intro">[^<]*? (\d+) of \d+ active/.exec(page)?.[1] ?? -1);
    }
    runs.push({ accounts: size, ms: ms.map((x) => round(x, 0)), readUnits, calls, failing });
  }
  return {
    runs,
    notes: [
      'Each account has two admins (from six demo people) and half have a confirmed credential, so half fail O.c (not on file); the demo accounts of the stack are counted too.',
      'Read units are of the last of three fetches (all three read the same); times are the three fetches, on a shared machine.',
    ],
  };
}

export function reportCredentialsList(r: { runs: CredentialsListRun[]; notes: string[] }) {
  printTable(
    'Credentials list (GET /credentials, DTI): cost by active accounts',
    ['accounts (bench)', 'store calls', 'read units', 'read units per account', 'failing', 'median time'],
    r.runs.map((x) => [
      fmtInt(x.accounts),
      fmtInt(x.calls),
      fmtUnits(x.readUnits),
      fmtUnits(round(x.readUnits / x.accounts, 2)),
      fmtInt(x.failing),
      fmtMs(median(x.ms)),
    ]),
  );
  for (const n of r.notes) console.log(`  ${n}`);
}
