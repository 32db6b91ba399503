import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import demo from '#config/demo-accounts.json' with { type: 'json' };
import type { Account, Grant } from '#core/registry';
import { accountItem } from '#adapters/registry-store';
import { grantItem } from '#adapters/store';

type DemoAccount = Account & { credentialChangedAt?: string; grants: Pick<Grant, 'personId' | 'personName' | 'role' | 'receivesCredential'>[] };

/**
 * The demo registry for `npm start` (not the tests, which seed their own): accounts in four
 * departments with their grants, as approved requests would have left them, so the annual review
 * has something to find. Written once, when the directory is first seeded.
 */
export async function seedDemoAccounts(db: DynamoDBDocumentClient, table: string): Promise<number> {
  const accounts = (demo as unknown as { accounts: DemoAccount[] }).accounts;
  const items = accounts.flatMap(({ grants, ...account }) => [
    accountItem(account),
    ...grants.map((g) =>
      grantItem({
        ...g,
        accountId: account.accountId,
        authorizedById: 'E001',
        authorizedByName: 'Ramona Duran',
        authorizedAt: account.createdAt,
        sourceRequestId: account.sourceRequestId,
        status: 'ACTIVE',
      }),
    ),
  ]);
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending?.length) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
  return accounts.length;
}
