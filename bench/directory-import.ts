/**
 * H. The directory import (issue 13) at City size: 5,000 people in 60 departments and every
 * City-wide role, imported into an empty local stack as `npm run directory -- import` does it
 * (the directory read from the table, each event put through POST /dev/hr/events and applied by
 * receive-hr-event), then the same files again, which must send and write nothing. Each run is
 * timed and metered: the import's own reads of the directory, and what the consumer reads and
 * writes, by store method.
 */
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { directoryRoles } from '#core/policy';
import type { ImportReport } from '#local/directory-import';
import { fmtInt, fmtMs, fmtUnits, printTable } from './print.ts';
import type { StackSession } from './stack-session.ts';
import { round } from './stats.ts';
import { capacityByCall, methodOf } from './store-calls.ts';

export const DIRECTORY_SIZE = { people: 5_000, departments: 60 };

export interface DirectoryImportRun {
  run: string;
  outcome: ImportReport['outcome'];
  ms: number;
  events: number;
  byType: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** The import's own reads (the directory, three Queries to the end). */
  importReadUnits: number;
  /** Units by who made them and store method, largest first. */
  byMethod: { fn: string; method: string; calls: number; read: number; write: number }[];
}

export interface DirectoryImportResult {
  people: number;
  departments: number;
  roles: number;
  rows: { people: number; departments: number; roles: number };
  removedSeed: number;
  runs: DirectoryImportRun[];
  notes: string[];
}

/** A department code of 2–8 capital letters: DAA, DAB, … */
const codeOf = (i: number) => `D${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`;
const idOf = (i: number) => `P${String(i).padStart(5, '0')}`;

/** The three files: person i works in department i mod 60; a department's first two are its director and designee. */
export function generatedFiles(people = DIRECTORY_SIZE.people, departments = DIRECTORY_SIZE.departments) {
  const peopleRows = ['employeeId,name,email,departmentCode,title,supervisorId,status'];
  for (let i = 0; i < people; i += 1) {
    const d = i % departments;
    const isLead = i < departments * 2;
    const supervisor = i < departments ? '' : idOf(d);
    peopleRows.push(
      `${idOf(i)},Employee ${i},${idOf(i).toLowerCase()}@cabq.example,${codeOf(d)},${isLead ? (i < departments ? 'Director' : 'Deputy Director') : 'Analyst'},${supervisor},ACTIVE`,
    );
  }
  const departmentRows = ['code,name,directorId,designeeId'];
  for (let d = 0; d < departments; d += 1) departmentRows.push(`${codeOf(d)},Department ${d},${idOf(d)},${idOf(departments + d)}`);
  // One row a role: a role has one holder and one designee, so a second row for a role is refused as a duplicate.
  const roleRows = [
    'role,holderId,designeeId',
    ...directoryRoles.map((role, i) => `${role},${idOf(2 * departments + 2 * i)},${idOf(2 * departments + 2 * i + 1)}`),
  ];
  return {
    people: { name: 'people.csv', content: peopleRows.join('\n') },
    departments: { name: 'departments.csv', content: departmentRows.join('\n') },
    roles: { name: 'roles.csv', content: roleRows.join('\n') },
  };
}

/** Removes the demo directory the stack seeded (people, departments, roles), unmetered, so the first import starts empty. */
async function emptyDirectory(db: DynamoDBDocumentClient, table: string): Promise<number> {
  const keys: { PK: string; SK: string }[] = [];
  for (const [index, pk] of [
    ['GSI2', 'PEOPLE'],
    ['GSI1', 'DEPARTMENTS'],
    ['GSI1', 'ROLES'],
  ] as const) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': `${index}PK` },
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) keys.push({ PK: String(item.PK), SK: String(item.SK) });
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  for (let i = 0; i < keys.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [table]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) } }));
  }
  return keys.length;
}

export async function benchDirectoryImport({ stack, meter, recorder }: StackSession): Promise<DirectoryImportResult> {
  // Loaded here, not at the top: the capacity meter reads METER_DYNAMODB when first imported, which the session sets.
  const { DirectoryStore } = await import('#adapters/directory-store');
  const { httpHrPut, importDirectory, localTarget } = await import('#local/directory-import');
  const removedSeed = await emptyDirectory(DynamoDBDocumentClient.from(stack.client), stack.tableName);
  const files = generatedFiles();
  const outside = 'directory import (CLI)';
  recorder.outside = () => outside;
  // The store on the functions' own (metered) client and table, as the CLI's is on npm start's.
  const target = localTarget({ directory: new DirectoryStore(), put: httpHrPut(Number(new URL(stack.baseUrl).port)), description: 'the bench stack' });
  const runs: DirectoryImportRun[] = [];
  for (const run of ['first import (empty directory)', 'same files again']) {
    meter.enabled = true;
    recorder.start(run);
    const started = performance.now();
    const report = await importDirectory({ files, target, print: () => {} });
    const ms = performance.now() - started;
    const ops = recorder.stop();
    if (report.exitCode !== 0) throw new Error(`${run}: ${report.outcome} ${report.errors.join('; ')}`);
    const byType: Record<string, number> = {};
    for (const s of report.sent) byType[s.event.detailType] = (byType[s.event.detailType] ?? 0) + 1;
    const byMethod = new Map<string, DirectoryImportRun['byMethod'][number]>();
    for (const c of capacityByCall(ops).byOp) {
      const key = `${c.fn}\u0000${methodOf(c.op)}`;
      const m = byMethod.get(key) ?? { fn: c.fn, method: methodOf(c.op), calls: 0, read: 0, write: 0 };
      m.calls += c.calls;
      m.read += c.read;
      m.write += c.write;
      byMethod.set(key, m);
    }
    const sum = (f: (o: (typeof ops)[number]) => number, where: (o: (typeof ops)[number]) => boolean = () => true) =>
      round(
        ops.filter(where).reduce((s, o) => s + f(o), 0),
        1,
      );
    runs.push({
      run,
      outcome: report.outcome,
      ms: round(ms, 0),
      events: report.sent.length,
      byType,
      readUnits: sum((o) => o.read),
      writeUnits: sum((o) => o.write),
      importReadUnits: sum(
        (o) => o.read,
        (o) => o.fn === outside,
      ),
      byMethod: [...byMethod.values()]
        .map((m) => ({ ...m, read: round(m.read, 1), write: round(m.write, 1) }))
        .sort((a, b) => b.read + b.write - (a.read + a.write)),
    });
  }
  return {
    people: DIRECTORY_SIZE.people,
    departments: DIRECTORY_SIZE.departments,
    roles: directoryRoles.length,
    rows: { people: DIRECTORY_SIZE.people, departments: DIRECTORY_SIZE.departments, roles: directoryRoles.length },
    removedSeed,
    runs,
    notes: [
      `roles.csv has ${directoryRoles.length} rows, one for each City-wide role (directoryRoles): a role has one holder and one designee, so a second row for the same role is refused as a duplicate, and "10 roles" cannot be 10 rows.`,
      `The stack's demo directory (${removedSeed} items) was deleted first, unmetered, so the first import starts from an empty directory; each event goes through POST /dev/hr/events, one at a time, as the CLI sends it.`,
      'Read units of the import itself are its three Queries of the directory (people by name on GSI2, departments and roles on GSI1), read to the end; the rest is receive-hr-event applying each event (a consistent read of the entity, of what it needs, of events parked for it, and one transaction: the entity and its history item).',
    ],
  };
}

export function reportDirectoryImport(r: DirectoryImportResult) {
  printTable(
    `Directory import: ${fmtInt(r.people)} people, ${r.departments} departments, ${r.roles} roles, into an empty local stack, then the same files again`,
    ['run', 'outcome', 'time', 'events', 'per event', 'read units', 'of which the import', 'write units', 'write units per event'],
    r.runs.map((x) => [
      x.run,
      x.outcome,
      fmtMs(x.ms),
      fmtInt(x.events),
      x.events ? fmtMs(x.ms / x.events) : '-',
      fmtUnits(x.readUnits),
      fmtUnits(x.importReadUnits),
      fmtUnits(x.writeUnits),
      x.events ? fmtUnits(round(x.writeUnits / x.events, 2)) : '-',
    ]),
    [false, false, true, true, true, true, true, true, true],
  );
  for (const x of r.runs) {
    printTable(
      `  ${x.run}: by store method (events: ${
        Object.entries(x.byType)
          .map(([t, n]) => `${fmtInt(n)} ${t}`)
          .join(', ') || 'none'
      })`,
      ['who', 'store method', 'calls', 'read units', 'write units'],
      x.byMethod.slice(0, 8).map((m) => [m.fn, m.method, fmtInt(m.calls), fmtUnits(m.read), fmtUnits(m.write)]),
      [false, false, true, true, true],
    );
  }
  for (const n of r.notes) console.log(`  ${n}`);
}
