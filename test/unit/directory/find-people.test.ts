import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, lambdaContext } from '../events.ts';
import { department, person, mockPeople } from '../fixtures.ts';

type Module = typeof import('#directory/handlers/find-people');
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ handler } = await import('#directory/handlers/find-people'));
});

const find = (q: string | undefined) =>
  handler(httpEvent({ path: '/people', email: person('E102').email, query: q === undefined ? {} : { q } }), lambdaContext);

describe('GET /people', () => {
  const ddb = mockClient(DynamoDBDocumentClient);

  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    mockPeople(ddb);
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'DEPARTMENTS' } }).resolves({ Items: [department('PRD')] });
    ddb.on(QueryCommand, { IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'PEOPLE', ':prefix': 'tom' } }).resolves({ Items: [person('E103')] });
  });

  it('answers the matches with their department names, searching by lowercased name and email prefix', async () => {
    const res = await find(' Tom ');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toEqual({
      people: [
        { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example', departmentName: 'Parks and Recreation', title: person('E103').title ?? '' },
      ],
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI2',
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: 'attribute_not_exists(separatedOn)',
      ExpressionAttributeValues: { ':pk': 'PEOPLE', ':prefix': 'tom' },
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'GSI3', ExpressionAttributeValues: { ':pk': 'PEOPLE_BY_EMAIL', ':prefix': 'tom' } });
    expect(ddb).not.toHaveReceivedCommand(ScanCommand);
  });

  it.each([
    ['no q', undefined, 'type at least 2 characters'],
    ['one letter', 'a', 'type at least 2 characters'],
    ['81 characters', 'a'.repeat(81), 'type at most 80 characters'],
  ])('answers %s with a 400 that says what to type', async (_what, q, field) => {
    const res = await find(q);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toMatchObject({
      error: 'InvalidInputError',
      message: 'Type 2 to 80 characters of a name or a City email address.',
      fields: { q: field },
    });
  });

  it('answers 401 when nobody is signed in', async () => {
    const res = await handler(httpEvent({ path: '/people', query: { q: 'tom' } }), lambdaContext);
    expect(res.statusCode).toBe(401);
  });
});
