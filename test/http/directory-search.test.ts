import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Person } from '#core/policy';
import { DirectoryStore } from '#adapters/directory-store';
import { ensureGovernanceTable } from '#local/table';

/** The directory search against DynamoDB Local: the real indexes, and only Queries. */

const client = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const sent: string[] = [];
client.middlewareStack.add(
  (next, context) => async (args) => {
    sent.push(context.commandName ?? '');
    return next(args);
  },
  { step: 'initialize', name: 'recordCommands' },
);
const tableName = `dir-${randomBytes(5).toString('hex')}`;
const store = new DirectoryStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName);

const people: Person[] = [
  { id: 'P1', name: 'Ana Gallegos', email: 'AGallegos@cabq.example', departmentCode: 'PRD', title: 'Marketing Coordinator' },
  { id: 'P2', name: 'Anastasia Ortiz', email: 'aortiz@cabq.example', departmentCode: 'LIB' },
  { id: 'P3', name: 'Tom Sandoval', email: 'tsandoval@cabq.example', departmentCode: 'PRD' },
  { id: 'P4', name: 'Andrea Left', email: 'aleft@cabq.example', departmentCode: 'PRD', separatedOn: '2026-01-02' },
  { id: 'P5', name: 'Zed Analyst', email: 'analyst@cabq.example', departmentCode: 'LIB' },
];

beforeAll(async () => {
  await ensureGovernanceTable(client, tableName);
  await store.putDirectory({
    people,
    departments: [{ code: 'PRD', name: 'Parks and Recreation' } as never, { code: 'LIB', name: 'Library' } as never],
    roles: [],
    platforms: [],
  });
});

describe('DirectoryStore.searchPeople (DynamoDB Local)', () => {
  it('finds by name prefix whatever the case, names first, separated people left out, with Queries only', async () => {
    sent.length = 0;
    const found = await store.searchPeople('aNa', 10);
    expect(found.map((p) => p.id)).toEqual(['P1', 'P2', 'P5']);
    expect(sent.filter((c) => c !== 'QueryCommand')).toEqual([]);
    expect(sent.length).toBe(2);
  });

  it('finds by email prefix, lowercased as stored', async () => {
    const found = await store.searchPeople('TSAND', 10);
    expect(found).toEqual([{ id: 'P3', name: 'Tom Sandoval', email: 'tsandoval@cabq.example', departmentCode: 'PRD' }]);
  });

  it('keeps to the limit', async () => {
    expect((await store.searchPeople('an', 2)).map((p) => p.id)).toEqual(['P1', 'P2']);
  });

  it('never finds a separated person, by name or by email', async () => {
    expect(await store.searchPeople('andrea', 10)).toEqual([]);
    expect(await store.searchPeople('aleft', 10)).toEqual([]);
  });

  it('answers with department names for the picker, and the exact email lookup still works', async () => {
    expect(await store.findPeople('gallegos@', 10)).toEqual([]);
    expect(await store.findPeople('agall', 10)).toEqual([
      { id: 'P1', name: 'Ana Gallegos', email: 'agallegos@cabq.example', departmentName: 'Parks and Recreation', title: 'Marketing Coordinator' },
    ]);
    expect((await store.personByEmail('AGALLEGOS@cabq.example'))?.id).toBe('P1');
    expect(await store.person('P1')).toEqual({ ...people[0], email: 'agallegos@cabq.example' });
  });
});
