import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { type IndexDesign, table } from '#catalogue';

const indexSchema = (i: IndexDesign) => ({
  IndexName: i.name,
  KeySchema: [{ AttributeName: i.partitionKey, KeyType: 'HASH' as const }, ...(i.sortKey ? [{ AttributeName: i.sortKey, KeyType: 'RANGE' as const }] : [])],
  Projection: { ProjectionType: i.projection },
});

/**
 * Creates the governance table in DynamoDB Local from the catalogue's key design, if missing; a
 * table kept from an older release gets the indexes the catalogue has added since.
 */
export async function ensureGovernanceTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of table.indexes.filter((i) => !have.has(i.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          GlobalSecondaryIndexUpdates: [{ Create: indexSchema(index) }],
        }),
      );
    }
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keys = [...new Set([table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => (i.sortKey ? [i.partitionKey, i.sortKey] : [i.partitionKey]))])];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: table.indexes.map(indexSchema),
    }),
  );
  return true;
}
