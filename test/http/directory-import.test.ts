import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '#adapters/directory-store';
import type { HrEntry } from '#local/hr-bus';
import { type ImportSource, importDirectory, localTarget } from '#local/directory-import';
import type { LocalStack } from '#local/stack';
import { startTestStack } from '../support/harness.ts';

/**
 * `npm run directory -- import` on a real local stack (the demo directory seeded, 21 people in 7
 * departments, 4 roles), its events through the stack's HR bus and consumer: test/fixtures/directory
 * keeps the demo directory and adds a department of two people, moves a title, a designee and a
 * role's designee; people-truncated.csv is its first 10 people.
 */

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/directory/${name}`, import.meta.url));
const files = (people = 'people.csv'): Record<'people' | 'departments' | 'roles', ImportSource> => ({
  people: fixture(people),
  departments: fixture('departments.csv'),
  roles: fixture('roles.csv'),
});

let stack: LocalStack;
let directory: DirectoryStore;
const puts: HrEntry[] = [];

const target = () =>
  localTarget({
    directory,
    put: (entry) => {
      puts.push(entry);
      return stack.hr.put(entry);
    },
  });

/** The directory's items as stored (people, departments, roles, their history), each by key with its version. */
async function directoryItems(): Promise<Map<string, unknown>> {
  const items = new Map<string, unknown>();
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await stack.client.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey }));
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      if (/^(PERSON|DEPT|ROLE|DIRECTORY|PARKED|HANDOVER)#/.test(String(item.PK))) items.set(`${item.PK} ${item.SK}`, item);
    }
    ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return items;
}

const versions = (items: Map<string, unknown>) => new Map([...items].map(([k, v]) => [k, (v as { version?: string }).version]));

beforeAll(async () => {
  stack = await startTestStack();
  directory = new DirectoryStore(DynamoDBDocumentClient.from(stack.client), stack.tableName);
});

afterAll(async () => {
  await stack?.stop();
});

describe('directory import on the local stack', () => {
  it('changes nothing and sends nothing on a dry run', async () => {
    const before = await directoryItems();
    const printed: string[] = [];
    const report = await importDirectory({ files: files(), dryRun: true, target: target(), print: (l) => printed.push(l) });
    expect(report.outcome).toBe('dry-run');
    expect(puts).toEqual([]);
    expect(await directoryItems()).toEqual(before);
    expect(printed.slice(1)).toEqual([
      '  departments: 1 added, 1 updated, 6 unchanged, 0 not in the file (left unchanged)',
      '  people:      2 added, 1 updated, 20 unchanged, 0 separated (of 21 active)',
      '  roles:       0 added, 1 updated, 3 unchanged, 0 not in the file (left unchanged)',
      '~ department LIB: designee E201 → E202',
      '+ department SWD Solid Waste Management (director E901, designee E902)',
      '~ person E103 Tom Sandoval: title "Recreation Program Manager" → "Aquatics Manager"',
      '+ person E901 Carmen Lovato (SWD)',
      '+ person E902 Luis Baca (SWD)',
      '~ role COMMUNICATIONS_COORDINATOR: designee E500 → E501',
      'Dry run: nothing was sent (6 events would be).',
    ]);
  });

  it('applies the files: departments, then people, then roles, each accepted and applied', async () => {
    const report = await importDirectory({ files: files(), target: target(), print: () => {} });
    expect(report.outcome).toBe('applied');
    expect(report.sent.map((s) => [s.event.detailType, s.event.label, s.outcome.status, s.outcome.message])).toEqual([
      ['Department Updated', 'department LIB', '202', 'applied'],
      ['Department Updated', 'department SWD', '202', 'applied'],
      ['Employee Updated', 'person E103', '202', 'applied'],
      ['Employee Updated', 'person E901', '202', 'applied'],
      ['Employee Updated', 'person E902', '202', 'applied'],
      ['Role Assigned', 'role COMMUNICATIONS_COORDINATOR', '202', 'applied'],
    ]);
    expect(puts.map((p) => p['detail-type'])).toEqual([
      'Department Updated',
      'Department Updated',
      'Employee Updated',
      'Employee Updated',
      'Employee Updated',
      'Role Assigned',
    ]);
    expect(await directory.person('E901')).toMatchObject({ name: 'Carmen Lovato', departmentCode: 'SWD', supervisorId: 'E001', version: expect.any(String) });
    expect(await directory.person('E103')).toMatchObject({ title: 'Aquatics Manager', supervisorId: 'E101' });
    expect(await directory.department('LIB')).toMatchObject({ directorId: 'E200', designeeId: 'E202' });
    expect((await directory.roleHolders()).find((r) => r.role === 'COMMUNICATIONS_COORDINATOR')).toMatchObject({ holderId: 'E502', designeeId: 'E501' });
  });

  it('sends nothing the second time and leaves every version as it was', async () => {
    const before = await directoryItems();
    puts.length = 0;
    const printed: string[] = [];
    const report = await importDirectory({ files: files(), target: target(), print: (l) => printed.push(l) });
    expect(report.outcome).toBe('unchanged');
    expect(puts).toEqual([]);
    expect(printed.slice(1)).toEqual([
      '  departments: 0 added, 0 updated, 8 unchanged, 0 not in the file (left unchanged)',
      '  people:      0 added, 0 updated, 23 unchanged, 0 separated (of 23 active)',
      '  roles:       0 added, 0 updated, 4 unchanged, 0 not in the file (left unchanged)',
      'Nothing to send: the directory already matches the files.',
    ]);
    const after = await directoryItems();
    expect(versions(after)).toEqual(versions(before));
    expect(after).toEqual(before);
  });

  it('refuses a truncated people file without --force, and offboards nobody', async () => {
    const printed: string[] = [];
    const report = await importDirectory({ files: files('people-truncated.csv'), target: target(), print: (l) => printed.push(l) });
    expect(report.outcome).toBe('refused');
    expect(report.diff?.separated.length).toBe(13);
    expect(printed.at(-1)).toMatch(/^Refused: This import would separate 13 of the directory's 23 active people \(56\.5%\); the limit is 5% /);
    expect(puts).toEqual([]);
    expect(await stack.sfn.list('separationOffboarding')).toEqual([]);
  });

  it('separates everyone the truncated file leaves out with --force, each with their offboarding', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date()).replaceAll('-', '');
    const report = await importDirectory({ files: files('people-truncated.csv'), force: true, target: target(), print: () => {} });
    expect(report.outcome).toBe('applied');
    const separated = report.sent.map((s) => s.event);
    expect(separated.map((e) => e.detailType)).toEqual(Array(13).fill('Employee Separated'));
    const ids = separated.map((e) => String(e.detail.employeeId)).sort();
    expect(ids).toEqual(['E301', 'E310', 'E311', 'E312', 'E400', 'E401', 'E500', 'E501', 'E502', 'E600', 'E601', 'E901', 'E902'].sort());
    expect(report.sent.map((s) => s.outcome.message).sort()).toEqual(ids.map((id) => `offboarding off-${id}-${today}`).sort());
    const started = (await stack.sfn.list('separationOffboarding')).map((x) => x.name).sort();
    expect(started).toEqual(ids.map((id) => `off-${id}-${today}`).sort());
  });
});
