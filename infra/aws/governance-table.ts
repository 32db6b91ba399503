import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type FunctionAccess, table } from '../../functions/catalogue.ts';

/**
 * Public records (H) are write-once. Their partition keys start with this prefix
 * (functions/adapters/records-store.ts: `RECORD#<recordId>`; the infra test checks the two agree).
 *
 * How IAM sees each DynamoDB write, and so what the Deny statements below must name:
 * - PutItem, UpdateItem, DeleteItem: authorized as themselves, with `dynamodb:LeadingKeys` = the
 *   item's partition key.
 * - TransactWriteItems has no IAM action of its own: each Put, Update and Delete inside it is
 *   authorized as dynamodb:PutItem / UpdateItem / DeleteItem on its own item (a ConditionCheck as
 *   dynamodb:ConditionCheckItem), with `dynamodb:EnclosingOperation` = TransactWriteItems (DynamoDB
 *   Developer Guide, "Using IAM with DynamoDB transactions"). So a Deny of UpdateItem/DeleteItem on
 *   RECORD# keys also refuses an Update or Delete of a record inside a transaction, while a
 *   transaction of Puts (a request and its preserved post, RecordsStore.putRequestWithRecord) stays
 *   allowed to the functions that may record.
 * - BatchWriteItem is one action, dynamodb:BatchWriteItem, for the whole batch, and its
 *   `dynamodb:LeadingKeys` is multivalued (every item's partition key), hence `ForAnyValue:`: a batch
 *   with a single RECORD# key is refused. It carries unconditional puts (overwrites) and deletes, so
 *   it is denied on records to everyone, record writers included.
 * - PartiQL writes (dynamodb:PartiQLInsert/Update/Delete) are granted to no role.
 * IAM cannot require a ConditionExpression, so "a record writer's PutItem never overwrites" is held
 * by the code (`attribute_not_exists(PK)`); the daily backups in the locked vault keep every
 * version that existed at a backup, and PITR every change within 35 days.
 */
export const RECORD_KEY_PREFIX = 'RECORD#';
/** Denied on RECORD# keys to every table writer that does not record. */
export const RECORD_WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** Denied on RECORD# keys to the functions that record: they may only put (conditionally) a new one. */
export const RECORD_CHANGE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'];

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

  /** The catalogue's table access for one function's role, with the records guard (H) on every writer. */
  grantCatalogueAccess(role: Role, key: string, access: Pick<FunctionAccess, 'table' | 'records'>): void {
    if (access.table === 'read') this.grantReadData(role);
    if (access.table === 'readWrite') this.grantReadWriteData(role);
    if (access.records === 'write' && access.table !== 'readWrite') {
      throw new Error(`catalogue functions.${key}: access.records 'write' needs access.table 'readWrite'.`);
    }
    if (access.table === 'readWrite') {
      // Write-once records (H): an explicit Deny wins over the table grant's Allow. Functions that do
      // not record may not write a RECORD# item at all; the ones that do may only put one.
      const records = access.records === 'write';
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: records ? 'RecordsAreNeverChangedOrDeleted' : 'OnlyRecordersWriteRecords',
          effect: Effect.DENY,
          actions: records ? RECORD_CHANGE_ACTIONS : RECORD_WRITE_ACTIONS,
          resources: [this.tableArn],
          conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${RECORD_KEY_PREFIX}*`] } },
        }),
      );
    }
    if (!access.table) return;
    const tableLogicalId = Stack.of(this).resolve((this.node.defaultChild as CfnElement).logicalId) as string;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
      reason: `The CDK table grant adds "<table ARN>/index/*" so ${key} can query the table's indexes (${table.indexes.map((i) => i.name).join(', ')}); no other index exists.`,
    });
    if (access.table === 'readWrite') {
      Validations.of(role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
          reason:
            'The CDK table grant for the table\u2019s customer-managed key (scoped to that one key ARN) adds kms:ReEncrypt*, which DynamoDB may use on the caller\u2019s behalf for the table key.',
        },
        {
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason:
            'The CDK table grant for the table\u2019s customer-managed key (scoped to that one key ARN) adds kms:GenerateDataKey*, which DynamoDB uses on the caller\u2019s behalf to write.',
        },
      );
    }
  }
}
