import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CurrentDirectory, PlannedEvent } from '#directory/import';
import { awsTarget, type ImportTarget, importDirectory, readCsv, type SendOutcome } from '#local/directory-import';

/** The import's host side (infra/local/directory-import.ts): reading the CSV, the run from check to send, and the AWS target. */

const current: CurrentDirectory = {
  people: [
    { id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example', departmentCode: 'PRD' },
    { id: 'E101', name: 'Marcus Chavez', email: 'mchavez@cabq.example', departmentCode: 'PRD', supervisorId: 'E100' },
  ],
  departments: [{ code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101' }],
  roles: [],
};

const peopleCsv = (...rows: string[]) => ['employeeId,name,email,departmentCode,title,supervisorId,status', ...rows].join('\n');
const unchanged = ['E100,Dolores Baca,dbaca@cabq.example,PRD,,,', 'E101,Marcus Chavez,mchavez@cabq.example,PRD,,E100,'];
const sources = (people: string, departments = 'code,name,directorId,designeeId\nPRD,Parks and Recreation,E100,E101', roles = 'role,holderId,designeeId') => ({
  people: { name: 'people.csv', content: people },
  departments: { name: 'departments.csv', content: departments },
  roles: { name: 'roles.csv', content: roles },
});

/** A target that keeps what it was sent; `answer` decides each event's outcome. */
function recordingTarget(answer: (e: PlannedEvent, i: number) => SendOutcome = () => ({ ok: true, status: '202', message: 'applied' }), batchSize = 1) {
  const sent: PlannedEvent[] = [];
  const target: ImportTarget = {
    description: 'a test directory',
    batchSize,
    readDirectory: async () => current,
    send: async (events) =>
      events.map((e) => {
        sent.push(e);
        return answer(e, sent.length - 1);
      }),
  };
  return { target, sent };
}

const now = () => new Date('2026-12-01T16:30:00Z');

describe('readCsv', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('numbers each record by the line it starts on (%s), the header line 1, across blank lines, a BOM and quoted line breaks', (_name, nl) => {
    const table = readCsv('people.csv', `\uFEFF${['a,b', '1,"two', 'lines"', '', '', ' 3 , 4 ', '5,"six', 'and', 'more"', '7,8'].join(nl)}${nl}`);
    expect(table).toEqual({
      name: 'people.csv',
      records: [
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['1', `two${nl}lines`] },
        { line: 6, cells: ['3', '4'] },
        { line: 7, cells: ['5', `six${nl}and${nl}more`] },
        { line: 10, cells: ['7', '8'] },
      ],
    });
  });

  it('keeps the records before a CSV syntax error and says where it is', () => {
    const table = readCsv('people.csv', 'a,b\n1,2\n3,"open\n4,5\n');
    expect(table.records).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ]);
    expect(table.unreadable?.message).toMatch(/Quote Not Closed/);
  });
});

describe('importDirectory', () => {
  it('lists every bad line and sends nothing when any line is wrong', async () => {
    const { target, sent } = recordingTarget();
    const printed: string[] = [];
    const report = await importDirectory({
      files: sources(peopleCsv(...unchanged, 'E102,,bad,PRD,,,', 'E103,Tom Sandoval,tom@cabq.example,ZZZ,,,')),
      target,
      now,
      print: (l) => printed.push(l),
    });
    expect(report).toMatchObject({ outcome: 'invalid', exitCode: 1 });
    expect(printed).toEqual([
      'Refused: 2 lines to fix; nothing was sent.',
      '  people.csv line 4: name: name is required; email: email must be an email address',
      '  people.csv line 5: departmentCode: ZZZ is neither in departments.csv nor in the directory',
    ]);
    expect(sent).toEqual([]);
  });

  it('prints the counts and the changes on a dry run and sends nothing', async () => {
    const { target, sent } = recordingTarget();
    const printed: string[] = [];
    const report = await importDirectory({
      files: sources(peopleCsv(unchanged[0] as string, 'E901,Ana Gallegos,agallegos@cabq.example,PRD,,E100,')),
      dryRun: true,
      target,
      now,
      print: (l) => printed.push(l),
      maxSeparatedShare: 0.5,
    });
    expect(report).toMatchObject({ outcome: 'dry-run', exitCode: 0 });
    expect(sent).toEqual([]);
    expect(printed).toEqual([
      'Directory import into a test directory (dry run), 2026-12-01T16:30:00.000Z:',
      '  departments: 0 added, 0 updated, 1 unchanged, 0 not in the file (left unchanged)',
      '  people:      1 added, 0 updated, 1 unchanged, 1 separated (of 2 active)',
      '  roles:       0 added, 0 updated, 0 unchanged, 0 not in the file (left unchanged)',
      '+ person E901 Ana Gallegos (PRD)',
      '- separate E101 Marcus Chavez (missing from people.csv)',
      'Dry run: nothing was sent (2 events would be).',
    ]);
  });

  it('sends each change in order with effectiveAt the start and sequence 0, the separation dated today in Albuquerque', async () => {
    const { target, sent } = recordingTarget();
    const late = () => new Date('2026-12-02T05:30:00Z'); // still 1 December in Albuquerque
    const report = await importDirectory({
      files: sources(
        peopleCsv(unchanged[0] as string, 'E901,Ana Gallegos,agallegos@cabq.example,SWD,,E100,'),
        'code,name,directorId,designeeId\nSWD,Solid Waste,E901,E100',
        'role,holderId,designeeId\nCITY_CLERK_CONTACT,E901,E100',
      ),
      target,
      now: late,
      print: () => {},
      maxSeparatedShare: 0.5,
    });
    expect(report).toMatchObject({ outcome: 'applied', exitCode: 0 });
    expect(sent.map((e) => [e.detailType, e.label])).toEqual([
      ['Department Updated', 'department SWD'],
      ['Employee Updated', 'person E901'],
      ['Role Assigned', 'role CITY_CLERK_CONTACT'],
      ['Employee Separated', 'separation of E101'],
    ]);
    expect(sent[0]?.detail).toMatchObject({ effectiveAt: '2026-12-02T05:30:00.000Z', sequence: 0 });
    expect(sent[3]?.detail).toEqual({ employeeId: 'E101', separationDate: '2026-12-01' });
  });

  it('sends nothing when the files match the directory', async () => {
    const { target, sent } = recordingTarget();
    const report = await importDirectory({ files: sources(peopleCsv(...unchanged)), target, now, print: () => {} });
    expect(report).toMatchObject({ outcome: 'unchanged', exitCode: 0, events: [] });
    expect(sent).toEqual([]);
  });

  it('stops before sending when too many would be separated, unless forced', async () => {
    const refused = recordingTarget();
    const printed: string[] = [];
    const report = await importDirectory({ files: sources(peopleCsv(unchanged[0] as string)), target: refused.target, now, print: (l) => printed.push(l) });
    expect(report).toMatchObject({ outcome: 'refused', exitCode: 1 });
    expect(refused.sent).toEqual([]);
    expect(printed.at(-1)).toBe(
      "Refused: This import would separate 1 of the directory's 2 active people (50%); the limit is 5% (policy.directory.maxSeparatedShare 0.05), at most 0 people. Nothing was sent. Check that people.csv is complete (everyone it leaves out is separated and offboarded), or run the import again with --force.",
    );

    const forced = recordingTarget();
    const report2 = await importDirectory({ files: sources(peopleCsv(unchanged[0] as string)), force: true, target: forced.target, now, print: () => {} });
    expect(report2).toMatchObject({ outcome: 'applied', exitCode: 0 });
    expect(forced.sent.map((e) => e.label)).toEqual(['separation of E101']);
  });

  it('stops at the first failed send and says what was sent so far', async () => {
    const { target, sent } = recordingTarget((_e, i) =>
      i === 1 ? { ok: false, status: '400', message: 'No rule matches' } : { ok: true, status: '202', message: 'applied' },
    );
    const printed: string[] = [];
    const report = await importDirectory({
      files: sources(
        peopleCsv(...unchanged, 'E901,Ana Gallegos,agallegos@cabq.example,SWD,,,', 'E902,Tom Two,tom2@cabq.example,SWD,,,'),
        'code,name,directorId,designeeId\nSWD,Solid Waste,E901,E100',
      ),
      target,
      now,
      print: (l) => printed.push(l),
    });
    expect(report).toMatchObject({ outcome: 'failed', exitCode: 1 });
    expect(sent.map((e) => e.label)).toEqual(['department SWD', 'person E901']);
    expect(printed.slice(-3)).toEqual([
      '  202 Department Updated (department SWD): applied',
      '  400 Employee Updated (person E901): No rule matches',
      'Stopped: Employee Updated (person E901) failed. 1 of 3 events were sent, the last department SWD. Fix the cause and run the import again: what was applied is now unchanged and is not sent twice.',
    ]);
  });

  it('names a file it cannot read', async () => {
    const { target } = recordingTarget();
    const report = await importDirectory({ files: { ...sources(peopleCsv(...unchanged)), roles: '/nonexistent/roles.csv' }, target, now, print: () => {} });
    expect(report.outcome).toBe('invalid');
    expect(report.errors[0]).toMatch(/^roles\.csv: the roles file could not be read \(ENOENT: no such file or directory, open '\/nonexistent\/roles\.csv'\)$/);
  });
});

describe('awsTarget', () => {
  const cfn = mockClient(CloudFormationClient);
  const events = mockClient(EventBridgeClient);
  const ddb = mockClient(DynamoDBDocumentClient);
  const clients = () => ({
    cloudFormation: new CloudFormationClient({ region: 'us-west-2' }),
    eventBridge: new EventBridgeClient({ region: 'us-west-2' }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-west-2' })),
  });
  const outputs = [
    { OutputKey: 'TableName', OutputValue: 'gov-table' },
    { OutputKey: 'HrEventBusName', OutputValue: 'cabq-hr' },
    { OutputKey: 'ApiUrl', OutputValue: 'https://x.example' },
  ];
  const planned = (n: number): PlannedEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      detailType: 'Employee Separated',
      label: `separation of E${i}`,
      detail: { employeeId: `E${i}`, separationDate: '2026-12-01' },
    }));

  beforeEach(() => {
    cfn.reset();
    events.reset();
    ddb.reset();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Gov', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: outputs }] });
  });

  it('reads the table and bus from the stack outputs and the directory from that table', async () => {
    ddb.on(QueryCommand, { IndexName: 'GSI2' }).resolves({
      Items: [{ PK: 'PERSON#E100', SK: 'PROFILE', entity: 'Person', id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example', departmentCode: 'PRD' }],
    });
    ddb
      .on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'DEPARTMENTS' } })
      .resolves({ Items: [{ PK: 'DEPT#PRD', SK: 'PROFILE', code: 'PRD', name: 'Parks', directorId: 'E100', designeeId: 'E101' }] });
    ddb
      .on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'ROLES' } })
      .resolves({ Items: [{ PK: 'ROLE#CITY_CLERK_CONTACT', SK: 'PROFILE', role: 'CITY_CLERK_CONTACT' }] });
    const target = await awsTarget({ stackName: 'Gov', clients: clients() });
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Gov' });
    expect(target.description).toBe('the stack Gov (table gov-table, bus cabq-hr, source cabq.hr)');
    expect(await target.readDirectory()).toEqual({
      people: [{ id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example', departmentCode: 'PRD' }],
      departments: [{ code: 'PRD', name: 'Parks', directorId: 'E100', designeeId: 'E101' }],
      roles: [],
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { TableName: 'gov-table', IndexName: 'GSI2' });
  });

  it('puts the events on the bus with the source, ten at a time through the import', async () => {
    events
      .on(PutEventsCommand)
      .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `id-${i}` })) }));
    const target = await awsTarget({ stackName: 'Gov', source: 'cabq.hr.test', clients: clients() });
    expect(target.batchSize).toBe(10);
    const outcomes = await target.send(planned(2));
    expect(outcomes).toEqual([
      { ok: true, status: 'accepted', message: 'on cabq-hr as id-0' },
      { ok: true, status: 'accepted', message: 'on cabq-hr as id-1' },
    ]);
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        { EventBusName: 'cabq-hr', Source: 'cabq.hr.test', DetailType: 'Employee Separated', Detail: '{"employeeId":"E0","separationDate":"2026-12-01"}' },
        { EventBusName: 'cabq-hr', Source: 'cabq.hr.test', DetailType: 'Employee Separated', Detail: '{"employeeId":"E1","separationDate":"2026-12-01"}' },
      ],
    });
  });

  it('takes the source from an HrEventSource output when the stack has one', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Gov',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [...outputs, { OutputKey: 'HrEventSource', OutputValue: 'city.hr' }],
        },
      ],
    });
    expect((await awsTarget({ stackName: 'Gov', clients: clients() })).description).toContain('source city.hr');
  });

  it('sends 23 events (a department and 22 people) as batches of 10, 10 and 3, and reports an entry PutEvents refused', async () => {
    events.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: input.Entries.length === 3 ? 1 : 0,
      Entries: input.Entries.map((_, i) =>
        input.Entries.length === 3 && i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `id-${i}` },
      ),
    }));
    const target = await awsTarget({ stackName: 'Gov', clients: clients() });
    ddb.on(QueryCommand).resolves({ Items: [] });
    const people = ['employeeId,name,email,departmentCode,title,supervisorId,status'];
    for (let i = 0; i < 22; i += 1) people.push(`N${i},Person ${i},p${i}@cabq.example,PRD,,,`);
    const report = await importDirectory({
      files: sources(people.join('\n'), 'code,name,directorId,designeeId\nPRD,Parks,N0,N1'),
      target,
      now,
      print: () => {},
    });
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect(report.outcome).toBe('failed');
    expect(report.sent.filter((s) => !s.outcome.ok).map((s) => [s.event.label, s.outcome.status])).toEqual([['person N20', 'ThrottlingException']]);
    expect(report.sent.length).toBe(23);
  });

  it('says which output is missing', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'Gov', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [outputs[0] as never] }] });
    await expect(awsTarget({ stackName: 'Gov', clients: clients() })).rejects.toThrow('The stack Gov has no HrEventBusName output (it has: TableName).');
  });
});
