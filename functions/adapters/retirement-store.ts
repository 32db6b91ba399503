import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Grant } from '#core/registry';
import type { OutcomeWrite } from '#core/request-kind';
import { accountWriteIndex, grantsToRevoke, type RetiredFacts, type RetirementRequest, retirementWrites } from '#retirement/retirement';
import { requestItem, type StoredKind } from '#adapters/store';
import { isConditionFailure, strip, TableClient } from '#adapters/table';

/**
 * Retiring accounts (issue 14), in the account's partition:
 *   ACCOUNT#id / RETIREMENT    the account's latest retirement request (its id): at most one is open
 *                              at a time; a new one replaces it only once it is closed
 * and the retirement itself (retirement.ts `retirementWrites`: the account, its grants, its
 * credential), for the annual review's "retire it" answer. A retirement request makes the same
 * writes in the transaction that closes it (retirement/kind.ts).
 */

/** One update of `retirementWrites` as the parameters of an UpdateItem or a transaction's Update. */
export function updateParams(table: string, write: OutcomeWrite) {
  if (!('update' in write)) throw new TypeError('A retirement makes updates only.');
  const { key, set, ifEquals } = write.update;
  const setNames = Object.keys(set);
  const condNames = Object.keys(ifEquals ?? {});
  return {
    TableName: table,
    Key: key,
    UpdateExpression: `SET ${setNames.map((_, i) => `#s${i} = :s${i}`).join(', ')}`,
    ...(condNames.length ? { ConditionExpression: condNames.map((_, i) => `#c${i} = :c${i}`).join(' AND ') } : {}),
    ExpressionAttributeNames: {
      ...Object.fromEntries(setNames.map((n, i) => [`#s${i}`, n])),
      ...Object.fromEntries(condNames.map((n, i) => [`#c${i}`, n])),
    },
    ExpressionAttributeValues: {
      ...Object.fromEntries(setNames.map((n, i) => [`:s${i}`, set[n]])),
      ...Object.fromEntries(condNames.map((n, i) => [`:c${i}`, ifEquals?.[n]])),
    },
  };
}

/** A transaction holds at most 100 items. */
const transactionLimit = 100;

export class RetirementStore extends TableClient {
  /** The account's latest retirement request, if it ever had one (consistent). */
  async claimOf(accountId: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK: `ACCOUNT#${accountId}`, SK: 'RETIREMENT' }, ConsistentRead: true }));
    return typeof out.Item?.requestId === 'string' ? out.Item.requestId : undefined;
  }

  /**
   * Stores a retirement request and makes it the account's, in one transaction: only while the
   * account has none, or still has `previous` (read before and found closed). 'repeated': this
   * request is stored already (the same submission again); 'taken': another request got there first.
   */
  async createRequest(request: RetirementRequest, kind: StoredKind<RetirementRequest>, previous?: string): Promise<'created' | 'repeated' | 'taken'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: requestItem(request, kind), ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Put: {
                TableName: this.table,
                Item: {
                  PK: `ACCOUNT#${request.accountId}`,
                  SK: 'RETIREMENT',
                  entity: 'RetirementClaim',
                  accountId: request.accountId,
                  requestId: request.requestId,
                },
                ConditionExpression: previous ? 'attribute_not_exists(PK) OR requestId = :previous' : 'attribute_not_exists(PK)',
                ...(previous ? { ExpressionAttributeValues: { ':previous': previous } } : {}),
              },
            },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = (error.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed');
      if (failed[0]) return 'repeated';
      if (failed[1]) return 'taken';
      throw error;
    }
  }

  private async account(accountId: string) {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' }, ConsistentRead: true }));
    return out.Item ? strip<Account & RetiredFacts>(out.Item) : undefined;
  }

  private grants(accountId: string) {
    return this.queryAll<Grant>({ pk: `ACCOUNT#${accountId}`, skPrefix: 'GRANT#', consistent: true });
  }

  /**
   * Retires an active account outside a request (the annual review): the same writes a retirement
   * request makes. They fit one transaction unless the account has more active grants than it
   * holds; those beyond are revoked first, one conditional update each, so a retry repeats nothing.
   * False when the account is not (or no longer) active; a grant revoked meanwhile reads again.
   */
  async retire(input: { accountId: string; at: string; reason: string; bySourceId: string }): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const account = await this.account(input.accountId);
      if (account?.status !== 'ACTIVE') return false;
      const writes = retirementWrites({ ...input, activeGrants: grantsToRevoke(input.accountId, await this.grants(input.accountId)) });
      for (const grantWrite of writes.slice(transactionLimit)) await this.conditional(new UpdateCommand(updateParams(this.table, grantWrite)));
      try {
        await this.db.send(
          new TransactWriteCommand({ TransactItems: writes.slice(0, transactionLimit).map((w) => ({ Update: updateParams(this.table, w) })) }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        if (reasons[accountWriteIndex]?.Code === 'ConditionalCheckFailed') return false;
      }
    }
    throw new Error(`The grants of ${input.accountId} kept changing while it was retired; try again.`);
  }
}
