import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DirectoryWrites } from '../../functions/adapters/directory-writes.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { startTestStack } from '../support/harness.ts';

/**
 * The directory's events through the real HR consumer on the local stack (issue 13): in order per
 * entity whatever order the queue delivers them in, each once, and an event naming a department
 * or role holder not yet known kept until it arrives.
 */
let stack: LocalStack;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack();
  const client = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  await stack?.stop();
});

type Entry = { 'detail-type': string; detail: Record<string, unknown> };
const put = (e: Entry) => stack.hr.put({ source: 'cabq.hr', ...e });

/** A deterministic shuffle (a linear congruential generator seeded per run). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * One run's events: two departments and two people of its own (ids suffixed by the run), each
 * changed several times, and the Clerk's records contact role moved between them. Run k's
 * instants are all later than run k-1's, so the shared role ends as its run left it.
 */
function history(run: number): Entry[] {
  const at = (minute: number) => new Date(Date.parse('2027-01-04T08:00:00-07:00') + run * 86_400_000 + minute * 60_000).toISOString();
  const [a, b] = [`ZA${'ABCDEFGH'[run]}`, `ZB${'ABCDEFGH'[run]}`];
  const [p, q] = [`S${run}-1`, `S${run}-2`];
  const person = (id: string, minute: number, sequence: number, fields: Record<string, unknown>) => ({
    'detail-type': 'Employee Updated',
    detail: { employeeId: id, name: `Person ${id}`, email: `${id.toLowerCase()}@cabq.example`, status: 'ACTIVE', effectiveAt: at(minute), sequence, ...fields },
  });
  return [
    { 'detail-type': 'Department Updated', detail: { code: a, name: `Dept ${a}`, directorId: p, designeeId: q, effectiveAt: at(0), sequence: 1 } },
    { 'detail-type': 'Department Updated', detail: { code: a, name: `Dept ${a} renamed`, directorId: q, designeeId: p, effectiveAt: at(5), sequence: 2 } },
    { 'detail-type': 'Department Updated', detail: { code: b, name: `Dept ${b}`, directorId: q, designeeId: p, effectiveAt: at(1), sequence: 1 } },
    person(p, 0, 1, { departmentCode: a, title: 'Clerk' }),
    person(p, 2, 2, { departmentCode: a, title: 'Senior Clerk', supervisorId: q }),
    person(p, 6, 3, { departmentCode: b }),
    person(q, 0, 1, { departmentCode: b, title: 'Manager' }),
    // Same instant, a later sequence: the sequence decides.
    person(q, 4, 1, { departmentCode: b, title: 'Director' }),
    person(q, 4, 2, { departmentCode: b, title: 'Director of Operations' }),
    { 'detail-type': 'Role Assigned', detail: { role: 'CITY_CLERK_CONTACT', holderId: p, designeeId: q, effectiveAt: at(3), sequence: 1 } },
    { 'detail-type': 'Role Removed', detail: { role: 'CITY_CLERK_CONTACT', effectiveAt: at(7), sequence: 2 } },
    { 'detail-type': 'Role Assigned', detail: { role: 'CITY_CLERK_CONTACT', holderId: q, designeeId: p, effectiveAt: at(8), sequence: 3 } },
  ];
}

/** What the directory holds for one run's entities, without when each change was received. */
async function snapshot(run: number) {
  const keys = [`DEPT#ZA${'ABCDEFGH'[run]}`, `DEPT#ZB${'ABCDEFGH'[run]}`, `PERSON#S${run}-1`, `PERSON#S${run}-2`, 'ROLE#CITY_CLERK_CONTACT'];
  const items = await Promise.all(
    keys.map(async (pk) => {
      const out = await db.send(
        new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }),
      );
      const item = out.Items?.[0] ?? {};
      const { provenance, ...rest } = item as { provenance?: { receivedAt?: string } };
      return { ...rest, provenance: { ...provenance, receivedAt: 'ignored' } };
    }),
  );
  return items;
}

describe('directory events', () => {
  it('shuffled deliveries, with repeats, give the same directory as ordered ones', async () => {
    const ordered = history(0);
    for (const e of ordered) expect((await put(e)).status).toBe(202);
    const expected = await snapshot(0);
    expect(expected[0]).toMatchObject({ code: 'ZAA', name: 'Dept ZAA renamed', directorId: 'S0-2', designeeId: 'S0-1' });
    expect(expected[2]).toMatchObject({ id: 'S0-1', departmentCode: 'ZBA', hrStatus: 'ACTIVE' });
    expect(expected[2]).not.toHaveProperty('title');
    expect(expected[2]).not.toHaveProperty('supervisorId');
    expect(expected[3]).toMatchObject({ id: 'S0-2', title: 'Director of Operations' });
    expect(expected[4]).toMatchObject({ role: 'CITY_CLERK_CONTACT', holderId: 'S0-2', designeeId: 'S0-1' });

    for (const run of [1, 2, 3]) {
      const events = history(run);
      // Each event delivered once in a shuffled order, then a third of them again (SQS is at-least-once).
      const deliveries = shuffled([...events, ...events.filter((_, i) => i % 3 === run % 3)], run * 7919);
      const results = [];
      for (const e of deliveries) results.push(((await put(e)).body as { result?: string }).result);
      expect(results).toContain('duplicate');
      const got = await snapshot(run);
      // The same directory, entity for entity, as run 0's in order (ids and instants aside).
      const normalise = (items: Record<string, unknown>[], r: number) =>
        JSON.parse(
          JSON.stringify(items)
            .replaceAll(`S${r}-`, 'S#-')
            .replaceAll(new RegExp(`Z([AB])${'ABCDEFGH'[r]}`, 'g'), 'Z$1#')
            .replaceAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, 'instant')
            .replaceAll(new RegExp(`s${r}-`, 'g'), 's#-'),
        );
      expect(normalise(got, run)).toEqual(normalise(expected, 0));
    }
  });

  it('answers an older event as stale and changes nothing; the history keeps each applied change once', async () => {
    const dept = (name: string, minute: number) => ({
      'detail-type': 'Department Updated',
      detail: {
        code: 'ZSTALE',
        name,
        directorId: 'E100',
        designeeId: 'E101',
        effectiveAt: new Date(Date.parse('2027-02-01T08:00:00Z') + minute * 60_000).toISOString(),
        sequence: 0,
      },
    });
    expect((await put(dept('Newer', 10))).body).toMatchObject({ result: 'applied' });
    expect((await put(dept('Older', 5))).body).toMatchObject({ result: 'stale' });
    expect((await put(dept('Newer', 10))).body).toMatchObject({ result: 'duplicate' });
    const writes = new DirectoryWrites(db, stack.tableName);
    expect((await writes.stored({ kind: 'DEPT', id: 'ZSTALE' }))?.name).toBe('Newer');
    expect((await writes.history({ kind: 'DEPT', id: 'ZSTALE' })).map((c) => [c.type, (c.detail as { name: string }).name, c.provenance.source])).toEqual([
      ['Department Updated', 'Newer', 'HR'],
    ]);
  });

  it('parks an employee of an unknown department and a role for an unknown holder until they arrive', async () => {
    const at = '2027-03-01T08:00:00-07:00';
    const employee = {
      'detail-type': 'Employee Updated',
      detail: { employeeId: 'P-1', name: 'Pat Parked', email: 'pparked@cabq.example', departmentCode: 'ZPARK', status: 'ACTIVE', effectiveAt: at, sequence: 1 },
    };
    const role = {
      'detail-type': 'Role Assigned',
      detail: { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'P-1', designeeId: 'E500', effectiveAt: at, sequence: 1 },
    };
    expect((await put(role)).body).toMatchObject({ result: 'parked', waitingFor: [{ kind: 'PERSON', id: 'P-1' }] });
    expect((await put(employee)).body).toMatchObject({ result: 'parked', waitingFor: [{ kind: 'DEPT', id: 'ZPARK' }] });
    const writes = new DirectoryWrites(db, stack.tableName);
    expect(await writes.stored({ kind: 'PERSON', id: 'P-1' })).toBeUndefined();
    expect((await writes.stored({ kind: 'ROLE', id: 'COMMUNICATIONS_COORDINATOR' }))?.holderId).toBe('E502');

    // The department arrives: the employee it held is applied, and with them the role that waited for them.
    const dept = {
      'detail-type': 'Department Updated',
      detail: { code: 'ZPARK', name: 'Parking Division', directorId: 'P-1', designeeId: 'E100', effectiveAt: at, sequence: 1 },
    };
    expect((await put(dept)).body).toMatchObject({ result: 'applied' });
    expect(await writes.stored({ kind: 'PERSON', id: 'P-1' })).toMatchObject({ name: 'Pat Parked', departmentCode: 'ZPARK' });
    expect(await writes.stored({ kind: 'ROLE', id: 'COMMUNICATIONS_COORDINATOR' })).toMatchObject({ holderId: 'P-1', designeeId: 'E500' });
    expect(await writes.parkedFor({ kind: 'DEPT', id: 'ZPARK' })).toEqual([]);
    expect(await writes.parkedFor({ kind: 'PERSON', id: 'P-1' })).toEqual([]);
    // Delivered again later, each is a duplicate.
    expect((await put(employee)).body).toMatchObject({ result: 'duplicate' });
    expect((await put(role)).body).toMatchObject({ result: 'duplicate' });
  });

  it('refuses a malformed event with a 400 naming every problem, and changes nothing', async () => {
    const res = await put({
      'detail-type': 'Employee Updated',
      detail: { employeeId: 'BAD 1', name: '', email: 'nope', departmentCode: 'prd', status: 'GONE', effectiveAt: '2027-01-01 08:00', sequence: -1 },
    });
    expect(res.status).toBe(400);
    const message = (res.body as { message: string }).message;
    for (const problem of [
      'employeeId: employeeId is an employee id',
      'name: name is empty',
      'email: email must be an email address',
      'departmentCode: departmentCode is 2–8 capital letters',
      'status: status is one of: ACTIVE, SEPARATED',
      'effectiveAt: effectiveAt must be an ISO 8601 date and time with its offset',
      'sequence: sequence must be 0 or more',
    ])
      expect(message).toContain(problem);
    expect(await new DirectoryWrites(db, stack.tableName).stored({ kind: 'PERSON', id: 'BAD 1' })).toBeUndefined();
  });
});
