import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type FunctionAccess, table } from '../../functions/catalogue.ts';
import { tableGrant, WRITE_ACTIONS } from '../../functions/table-access.ts';

export { RECORD_CHANGE_ACTIONS, RECORD_KEY_PREFIX, WRITE_ACTIONS as RECORD_WRITE_ACTIONS } from '../../functions/table-access.ts';

/**
 * The one governance table, as the catalogue designs it (the local host creates the same), retained
 * and deletion protected with 35 days of PITR; and the guard of its write-once records, applied to
 * every role the table is granted to.
 */
export class GovernanceTable extends TableV2 {
  constructor(scope: Construct, id: string, props: { encryptionKey: IKey }) {
    super(scope, id, {
      partitionKey: { name: table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: table.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: table.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: index.sortKey ? { name: index.sortKey, type: AttributeType.STRING } : undefined,
        projectionType: ProjectionType[index.projection],
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.customerManagedKey(props.encryptionKey),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The catalogue's table access for one function's role (functions/table-access.ts, the rule the
   * local host checks too): exactly its actions on the table (and its indexes when it reads, for
   * Query), its write keys as a `dynamodb:LeadingKeys` condition, the records (H) and history guards
   * as explicit Denies, and the table key for what it does (Decrypt to read; Encrypt and data keys to write).
   * IAM cannot require a ConditionExpression, so "a record writer's PutItem never overwrites" is held
   * by the code (`attribute_not_exists(PK)`); the daily backups in the locked vault keep every
   * version that existed at a backup, and PITR every change within 35 days.
   */
  grantCatalogueAccess(role: Role, key: string, access: Pick<FunctionAccess, 'table' | 'records' | 'writeKeys'>): void {
    const grant = tableGrant(key, access);
    if (!grant) return;
    const reads = grant.actions.filter((a) => !WRITE_ACTIONS.includes(a));
    const writes = grant.actions.filter((a) => WRITE_ACTIONS.includes(a));
    const indexes = `${this.tableArn}/index/*`;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadTheGovernanceTable',
        actions: reads,
        // Query on an index is authorized on the index's ARN; GetItem, BatchGetItem and ConditionCheckItem on the table's.
        resources: reads.includes('dynamodb:Query') ? [this.tableArn, indexes] : [this.tableArn],
      }),
    );
    if (writes.length) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'WriteTheGovernanceTable',
          actions: writes,
          resources: [this.tableArn],
          conditions: grant.writeKeys ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.writeKeys.map((prefix) => `${prefix}*`) } } : undefined,
        }),
      );
    }
    for (const deny of grant.denies) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: deny.sid,
          effect: Effect.DENY,
          actions: [...deny.actions],
          resources: [this.tableArn],
          conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': deny.prefixes.map((prefix) => `${prefix}*`) } },
        }),
      );
    }
    if (grant.writes) this.encryptionKey?.grantEncryptDecrypt(role);
    else this.encryptionKey?.grantDecrypt(role);
    const tableLogicalId = Stack.of(this).resolve((this.node.defaultChild as CfnElement).logicalId) as string;
    if (reads.includes('dynamodb:Query')) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
        reason: `"<table ARN>/index/*" lets ${key} query the table's indexes (${table.indexes.map((i) => i.name).join(', ')}); no other index exists.`,
      });
    }
    if (grant.writes) {
      Validations.of(role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
          reason:
            'The table key\u2019s encrypt grant (on that one key ARN, and in its key policy only through DynamoDB of this account) includes kms:ReEncrypt*, which DynamoDB may use on the caller\u2019s behalf for the table key.',
        },
        {
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason:
            'The table key\u2019s encrypt grant (on that one key ARN, and in its key policy only through DynamoDB of this account) includes kms:GenerateDataKey*, which DynamoDB uses on the caller\u2019s behalf to write.',
        },
      );
    }
  }
}
