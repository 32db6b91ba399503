import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceInUseException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';

/**
 * What the local stand-ins for AWS services (Step Functions, Secrets Manager) share: the AWS JSON
 * protocol on a local port, so handlers use the real SDK clients through AWS_ENDPOINT_URL_*, and a
 * DynamoDB Local table of their own.
 */

/** An error the SDK reads by name (`__type`), as the real service sends it. */
export class AwsServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = name;
  }
}

export type Operation = (body: Record<string, unknown>) => unknown;

export interface AwsJsonEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `X-Amz-Target: <targetPrefix>.<Operation>` requests on 127.0.0.1. A named error goes back
 * as `{ __type, message }` with its status; anything else as a 500 described by `internal`.
 */
export async function listenAwsJson(options: {
  port?: number;
  targetPrefix: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  operations: Record<string, Operation>;
  internal: (error: Error) => { __type: string; message: string };
}): Promise<AwsJsonEndpoint> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': options.contentType });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const name = target.startsWith(`${options.targetPrefix}.`) ? target.slice(options.targetPrefix.length + 1) : target;
      try {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          throw new AwsServiceError('SerializationException', 'The request body is not valid JSON.');
        }
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw new AwsServiceError('SerializationException', 'The request body must be a JSON object.');
        const operation = Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
        if (!operation) throw new AwsServiceError('UnknownOperationException', `The local host does not implement ${name.slice(0, 100) || 'this request'}.`);
        reply(200, await operation(body as Record<string, unknown>));
      } catch (error) {
        if (error instanceof AwsServiceError) reply(error.status, { __type: error.name, message: error.message });
        else reply(500, options.internal(error as Error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A local service's own table, keyed by `name`; created once, also when two stacks start at once. */
export async function ensureNamedTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
        }),
      );
    } catch (createError) {
      // Another local stack on the same DynamoDB Local (parallel test files) created it first.
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
}
