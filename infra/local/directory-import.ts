import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { policy } from '#core/policy';
import {
  type CsvRecord,
  type CsvTable,
  type CurrentDirectory,
  changeLines,
  diffDirectory,
  type ImportDiff,
  type ImportFile,
  importFiles,
  type PlannedEvent,
  plannedEvents,
  separationGuard,
  summaryLines,
  validateImport,
} from '#directory/import';
import { DirectoryStore } from '#adapters/directory-store';
import type { HrDelivery, HrEntry } from '#local/hr-bus';

/**
 * The directory import's host side (`npm run directory -- import`, infra/local/directory.ts): reads
 * and splits the CSV files (csv-parse is a development dependency: this runs on an operator's
 * machine, never in a Lambda), reads the directory from the target, and sends the events that
 * functions/directory/import.ts plans, in order, to the local stack's HR bus or to AWS's.
 */

/** A file to import: its path, or its content with the name messages give it. */
export type ImportSource = string | { name: string; content: string };

/** How one event fared: the local bus's HTTP status, or PutEvents' answer for the entry. */
export interface SendOutcome {
  ok: boolean;
  status: string;
  message: string;
}

/** Where the directory is read from and the events go. */
export interface ImportTarget {
  description: string;
  readDirectory(): Promise<CurrentDirectory>;
  /** How many events one send takes (PutEvents: 10). */
  batchSize: number;
  send(events: PlannedEvent[]): Promise<SendOutcome[]>;
}

export interface ImportOptions {
  files: Record<ImportFile, ImportSource>;
  dryRun?: boolean;
  force?: boolean;
  target: ImportTarget;
  /** The import's start: every event's effectiveAt, and (in Albuquerque) the separations' date. */
  now?: () => Date;
  print?: (line: string) => void;
  maxSeparatedShare?: number;
}

export interface ImportReport {
  outcome: 'invalid' | 'refused' | 'dry-run' | 'unchanged' | 'applied' | 'failed';
  exitCode: 0 | 1;
  errors: string[];
  diff?: ImportDiff;
  events: PlannedEvent[];
  sent: { event: PlannedEvent; outcome: SendOutcome }[];
}

/** Splits one file into records, each with the line it starts on; a CSV syntax error keeps what came before it. */
export function readCsv(name: string, content: string): CsvTable {
  const records: CsvRecord[] = [];
  // csv-parse counts a CRLF inside a quoted cell as two lines; a file's line counts it as one.
  let crlfInCells = 0;
  try {
    parse(content, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      // With `info`, each record comes with where it ends (the typings do not know it).
      on_record: (value: unknown) => {
        const { record, info } = value as { record: string[]; info: { lines: number } };
        const text = record.join('');
        crlfInCells += text.split('\r\n').length - 1;
        const breaksInside = text.match(/\r\n|\r|\n/g)?.length ?? 0;
        records.push({ line: info.lines - crlfInCells - breaksInside, cells: record });
        return null;
      },
    });
    return { name, records };
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { name, records, unreadable: { line: (e.lines ?? (records.at(-1)?.line ?? 0) + 1) - crlfInCells, message: e.message } };
  }
}

async function tableOf(file: ImportFile, source: ImportSource): Promise<CsvTable> {
  if (typeof source !== 'string') return readCsv(source.name, source.content);
  try {
    return readCsv(basename(source), await readFile(source, 'utf8'));
  } catch (error) {
    return { name: basename(source), records: [], unreadable: { line: 0, message: `the ${file} file could not be read (${(error as Error).message})` } };
  }
}

const denverDate = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(at);

/**
 * Validates the files against the target's directory, shows what would change, and (unless a
 * dry run, invalid files or the separation guard stop it) sends one event per change. A failed
 * send stops there: the events are idempotent, so running the import again is safe.
 */
export async function importDirectory(options: ImportOptions): Promise<ImportReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const at = (options.now ?? (() => new Date()))();
  const tables = Object.fromEntries(await Promise.all(importFiles.map(async (f) => [f, await tableOf(f, options.files[f])]))) as Record<ImportFile, CsvTable>;
  const current = await options.target.readDirectory();
  const validation = validateImport(tables, current, { effectiveAt: at.toISOString(), sequence: 0 });
  if (!validation.ok) {
    print(`Refused: ${validation.errors.length} line${validation.errors.length === 1 ? '' : 's'} to fix; nothing was sent.`);
    for (const e of validation.errors) print(`  ${e}`);
    return { outcome: 'invalid', exitCode: 1, errors: validation.errors, events: [], sent: [] };
  }
  const diff = diffDirectory(validation.rows, current, tables.people.name);
  const events = plannedEvents(diff, denverDate(at));
  print(`Directory import into ${options.target.description}${options.dryRun ? ' (dry run)' : ''}, ${at.toISOString()}:`);
  for (const line of summaryLines(diff)) print(`  ${line}`);
  for (const line of changeLines(diff)) print(line);

  const guard = separationGuard(diff, options.maxSeparatedShare ?? policy.directory.maxSeparatedShare);
  if (guard.refused && !options.force) {
    print(`Refused: ${guard.message}`);
    return { outcome: 'refused', exitCode: 1, errors: [guard.message], diff, events, sent: [] };
  }
  if (guard.refused) print(`--force: separating ${diff.separated.length} people, above the limit.`);
  if (options.dryRun) {
    print(`Dry run: nothing was sent (${events.length} event${events.length === 1 ? '' : 's'} would be).`);
    return { outcome: 'dry-run', exitCode: 0, errors: [], diff, events, sent: [] };
  }
  if (events.length === 0) {
    print('Nothing to send: the directory already matches the files.');
    return { outcome: 'unchanged', exitCode: 0, errors: [], diff, events, sent: [] };
  }

  const sent: ImportReport['sent'] = [];
  for (let i = 0; i < events.length; i += options.target.batchSize) {
    const batch = events.slice(i, i + options.target.batchSize);
    const outcomes = await options.target.send(batch);
    batch.forEach((event, j) => {
      const outcome = outcomes[j] ?? { ok: false, status: 'unanswered', message: 'no answer for this event' };
      sent.push({ event, outcome });
      print(`  ${outcome.status} ${event.detailType} (${event.label}): ${outcome.message}`);
    });
    const failed = sent.find((s) => !s.outcome.ok);
    if (failed) {
      const through = sent.filter((s) => s.outcome.ok);
      const message = `Stopped: ${failed.event.detailType} (${failed.event.label}) failed. ${through.length} of ${events.length} events were sent${through.length ? `, the last ${through.at(-1)?.event.label}` : ''}. Fix the cause and run the import again: what was applied is now unchanged and is not sent twice.`;
      print(message);
      return { outcome: 'failed', exitCode: 1, errors: [message], diff, events, sent };
    }
  }
  print(`Sent ${sent.length} event${sent.length === 1 ? '' : 's'}.`);
  return { outcome: 'applied', exitCode: 0, errors: [], diff, events, sent };
}

async function readDirectoryFrom(store: DirectoryStore): Promise<CurrentDirectory> {
  const [people, departments, roles] = await Promise.all([store.people(), store.departments(), store.roleHolders()]);
  return { people, departments, roles };
}

/** What the local bus's answer says of one event: applied / duplicate / parked, the offboarding started, or why it was refused. */
function localOutcome(delivery: HrDelivery): SendOutcome {
  const body = delivery.body as { result?: string; offboardingId?: string; message?: string; error?: string; waitingFor?: unknown };
  const ok = delivery.status >= 200 && delivery.status < 300;
  const message = ok
    ? body.offboardingId
      ? `offboarding ${body.offboardingId}`
      : `${body.result ?? 'accepted'}${body.waitingFor ? ` (waiting for ${JSON.stringify(body.waitingFor)})` : ''}`
    : `${body.message ?? JSON.stringify(body)}${body.error ? ` (${body.error})` : ''}`;
  return { ok, status: String(delivery.status), message };
}

/**
 * The local stack: its table read through a DirectoryStore, each event put on its HR bus (in
 * process as `stack.hr.put`, or POST /dev/hr/events on a running `npm start`), one at a time.
 */
export function localTarget(options: {
  directory: DirectoryStore;
  put: (entry: HrEntry) => Promise<HrDelivery>;
  source?: string;
  description?: string;
}): ImportTarget {
  const source = options.source ?? 'cabq.hr';
  return {
    description: options.description ?? 'the local stack',
    batchSize: 1,
    readDirectory: () => readDirectoryFrom(options.directory),
    async send(events) {
      const outcomes: SendOutcome[] = [];
      for (const event of events) outcomes.push(localOutcome(await options.put({ source, 'detail-type': event.detailType, detail: event.detail })));
      return outcomes;
    },
  };
}

/** POST /dev/hr/events on a running `npm start` (what `npm run hr` calls). */
export function httpHrPut(port: number): (entry: HrEntry) => Promise<HrDelivery> {
  return async (entry) => {
    const res = await fetch(`http://127.0.0.1:${port}/dev/hr/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entry),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
}

/**
 * The DynamoDB Local a running `npm start` keeps its data in (dataDir/dynamodb): found by its
 * command line, since the stack picks a free port for it at each start.
 */
export function findLocalDynamoEndpoint(dataDir: string): string | undefined {
  const dbPath = resolve(dataDir, 'dynamodb');
  const ps = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  for (const line of (ps.stdout ?? '').split('\n')) {
    if (!line.includes('DynamoDBLocal.jar') || !line.includes(`-dbPath ${dbPath}`)) continue;
    const port = /-port (\d+)/.exec(line)?.[1];
    if (port) return `http://127.0.0.1:${port}`;
  }
  return undefined;
}

/** A DirectoryStore on a local table, with the local stack's fake credentials. */
export function localDirectoryStore(endpoint: string, tableName: string): DirectoryStore {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return new DirectoryStore(DynamoDBDocumentClient.from(client), tableName);
}

/** The clients the AWS target uses; tests pass mocked ones. */
export interface AwsClients {
  cloudFormation: CloudFormationClient;
  eventBridge: EventBridgeClient;
  dynamo: DynamoDBDocumentClient;
}

/**
 * A deployed stack, with the caller's credentials: the table and the HR bus from its outputs
 * (`TableName`, `HrEventBusName`; the source from `HrEventSource` if the stack outputs it, else
 * `source`, default cabq.hr), the directory read from DynamoDB, the events put in batches of 10.
 */
export async function awsTarget(options: { stackName: string; region?: string; source?: string; clients?: Partial<AwsClients> }): Promise<ImportTarget> {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2';
  const cloudFormation = options.clients?.cloudFormation ?? new CloudFormationClient({ region });
  const eventBridge = options.clients?.eventBridge ?? new EventBridgeClient({ region });
  const dynamo = options.clients?.dynamo ?? DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
  const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stackName }));
  const outputs = new Map((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const needed = (key: string) => {
    const value = outputs.get(key);
    if (!value) throw new Error(`The stack ${options.stackName} has no ${key} output (it has: ${[...outputs.keys()].join(', ') || 'none'}).`);
    return value;
  };
  const tableName = needed('TableName');
  const busName = needed('HrEventBusName');
  const source = outputs.get('HrEventSource') || options.source || 'cabq.hr';
  const store = new DirectoryStore(dynamo, tableName);
  return {
    description: `the stack ${options.stackName} (table ${tableName}, bus ${busName}, source ${source})`,
    batchSize: 10,
    readDirectory: () => readDirectoryFrom(store),
    async send(events) {
      try {
        const res = await eventBridge.send(
          new PutEventsCommand({
            Entries: events.map((e) => ({ EventBusName: busName, Source: source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
          }),
        );
        return events.map((_, i) => {
          const entry = res.Entries?.[i];
          if (!entry || entry.ErrorCode)
            return { ok: false, status: entry?.ErrorCode ?? 'failed', message: entry?.ErrorMessage ?? 'PutEvents gave no answer for it' };
          return { ok: true, status: 'accepted', message: `on ${busName} as ${entry.EventId}` };
        });
      } catch (error) {
        return events.map(() => ({ ok: false, status: (error as Error).name, message: (error as Error).message }));
      }
    },
  };
}
