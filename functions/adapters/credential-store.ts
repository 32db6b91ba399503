import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Grant } from '#core/registry';
import type { NamedPerson } from '#core/request';
import type { AdminChangeReport, CredentialRecord, CredentialStatus, CredentialView, LoginDetails } from '#credentials/credential';
import { GovernanceStore } from '#adapters/store';
import { isConditionFailure, strip } from '#adapters/table';

/*
 * An account's credential record and what is filed beside it, all in the account's partition:
 *
 *   ACCOUNT#id / CREDENTIAL                 the record (credentials/credential.ts); never a password
 *   ACCOUNT#id / CREDVIEW#<at>#<viewId>     each view of the login by DTI or the Coordinator (append-only)
 *   ACCOUNT#id / ADMINREPORT#<at>#<id>      each reported admin change on the platform (append-only)
 *
 * Every write is conditional on the state it was read in, so two admins recording at once, or a
 * retried POST, can never confirm a version nobody confirmed.
 */

const pk = (accountId: string) => `ACCOUNT#${accountId}`;
const key = (accountId: string) => ({ PK: pk(accountId), SK: 'CREDENTIAL' });

/** Everything the credential page shows, from one consistent query of the account's partition. */
export interface AccountFile {
  account?: Account & { credentialChangedAt?: string; retiredAt?: string };
  grants: Grant[];
  credential?: CredentialRecord & { pendingLogin?: LoginDetails };
  views: CredentialView[];
  reports: AdminChangeReport[];
}

export class CredentialStore extends GovernanceStore {
  async accountFile(accountId: string): Promise<AccountFile> {
    const items = await this.queryItems({ pk: pk(accountId), consistent: true });
    const of = <T>(prefix: string) => items.filter((i) => String(i.SK).startsWith(prefix)).map((i) => strip<T>(i));
    return {
      account: of<AccountFile['account'] & object>('PROFILE')[0],
      grants: of<Grant>('GRANT#'),
      credential: of<CredentialRecord>('CREDENTIAL')[0],
      views: of<CredentialView>('CREDVIEW#').reverse(),
      reports: of<AdminChangeReport>('ADMINREPORT#').reverse(),
    };
  }

  /** A new account's record, NOT_ON_FILE, made once (with its registry entry's approval). */
  async createRecord(accountId: string, at: string): Promise<void> {
    await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { ...key(accountId), entity: 'Credential', accountId, status: 'NOT_ON_FILE', updatedAt: at },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /**
   * A version just written to the vault, pending until someone confirms it. `expected` is the status
   * it was read in (absent: no record yet); a first login moves NOT_ON_FILE to RECORDED, a change of a
   * confirmed one leaves it CONFIRMED (the confirmed password is still the one in use).
   */
  recordPending(input: {
    accountId: string;
    expected: CredentialStatus | undefined;
    /** The pending version as read (absent: none): a recording made meanwhile by someone else is never silently replaced. */
    expectedPending?: string;
    versionId: string;
    login?: LoginDetails;
    by: NamedPerson;
    at: string;
  }): Promise<boolean> {
    const status: CredentialStatus = input.expected === 'CONFIRMED' ? 'CONFIRMED' : 'RECORDED';
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key(input.accountId),
        UpdateExpression: `SET entity = :e, accountId = :a, #s = :s, pendingVersionId = :v, pendingSince = :at, pendingBy = :by, updatedAt = :at${
          input.login ? ', pendingLogin = :l' : ' REMOVE pendingLogin'
        }`,
        ConditionExpression: input.expected
          ? `#s = :expected AND ${input.expectedPending ? 'pendingVersionId = :pending' : 'attribute_not_exists(pendingVersionId)'}`
          : 'attribute_not_exists(PK)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':e': 'Credential',
          ':a': input.accountId,
          ':s': status,
          ':v': input.versionId,
          ':at': input.at,
          ':by': input.by,
          ...(input.login ? { ':l': input.login } : {}),
          ...(input.expected ? { ':expected': input.expected } : {}),
          ...(input.expected && input.expectedPending ? { ':pending': input.expectedPending } : {}),
        },
      }),
    );
  }

  /**
   * The pending version is confirmed: it is the current credential, with its login details, and the
   * account's credentialChangedAt (the annual review's finding) moves, in one transaction. False when
   * the pending version is no longer that one (someone recorded another meanwhile) or the account retired.
   */
  async confirm(input: { accountId: string; versionId: string; login: LoginDetails; by: NamedPerson; at: string }): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: key(input.accountId),
                UpdateExpression:
                  'SET #s = :confirmed, currentVersionId = :v, confirmedAt = :at, confirmedBy = :by, login = :l, updatedAt = :at REMOVE pendingVersionId, pendingSince, pendingBy, pendingLogin',
                ConditionExpression: 'pendingVersionId = :v AND #s <> :retired',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: {
                  ':confirmed': 'CONFIRMED',
                  ':v': input.versionId,
                  ':at': input.at,
                  ':by': input.by,
                  ':l': input.login,
                  ':retired': 'RETIRED',
                },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { PK: pk(input.accountId), SK: 'PROFILE' },
                UpdateExpression: 'SET credentialChangedAt = :at',
                ConditionExpression: 'attribute_exists(PK) AND #s = :active',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':at': input.at, ':active': 'ACTIVE' },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * An offboarding's rotation was confirmed (C): its version is the current password. The login
   * details stay as recorded; an account whose login was never recorded stays NOT_ON_FILE (its
   * password is known to the vault, its username is not).
   */
  async rotated(accountId: string, versionId: string, by: NamedPerson, at: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key(accountId),
        // A recording pending from before the rotation is dropped: confirming it would bring back a password the former employee may know.
        UpdateExpression:
          'SET entity = :e, accountId = :a, #s = if_not_exists(#s, :none), currentVersionId = :v, confirmedAt = :at, confirmedBy = :by, updatedAt = :at REMOVE pendingVersionId, pendingSince, pendingBy, pendingLogin',
        ConditionExpression: 'attribute_not_exists(PK) OR (#s <> :retired AND (attribute_not_exists(confirmedAt) OR confirmedAt < :at))',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':e': 'Credential',
          ':a': accountId,
          ':none': 'NOT_ON_FILE',
          ':v': versionId,
          ':at': at,
          ':by': by,
          ':retired': 'RETIRED',
        },
      }),
    );
  }

  /** A view on the record, once (its id is the caller's). Written before the login is shown. */
  putView(view: CredentialView): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(view.accountId), SK: `CREDVIEW#${view.at}#${view.viewId}`, entity: 'CredentialView', ...view },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  putAdminReport(report: AdminChangeReport): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(report.accountId), SK: `ADMINREPORT#${report.at}#${report.reportId}`, entity: 'AdminChangeReport', ...report },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** An admin removed on the platform itself loses the registry's ADMIN grant too (recorded, never deleted). */
  revokeAdminGrant(g: Grant, at: string, reportId: string): Promise<boolean> {
    return this.revokeGrantItem(g, at, 'Removed as an admin on the platform (reported, O.b)', reportId);
  }

  /** Every active account's file, for DTI's O.c list: one query of the registry index, then one query per account, eight at a time. */
  async activeFiles(): Promise<AccountFile[]> {
    const accounts = await this.accounts();
    const files: AccountFile[] = [];
    for (let i = 0; i < accounts.length; i += 8) {
      files.push(...(await Promise.all(accounts.slice(i, i + 8).map((a) => this.accountFile(a.accountId)))));
    }
    return files;
  }
}
