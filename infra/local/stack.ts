import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type FunctionKey, type ScheduleKey, schedules, stateMachineArnEnv, stateMachineKeys } from '#catalogue';
import demo from '#config/demo-directory.json' with { type: 'json' };
import type { Department, Person, RoleHolder } from '#core/policy';
import { loadFunctions } from '#local/functions';
import { localHrBus } from '#local/hr-bus';
import { LocalHttpApi } from '#local/http-api';
import { localMailEvents } from '#local/mail-events';
import { localSchedules, type ScheduleRun } from '#local/schedules';
import { LocalSecretsManager } from '#local/secrets-manager';
import { type RunningDynamo, reservePort, startDynamo, startSes } from '#local/services';
import { executionsTableFor, LocalStepFunctions, localStateMachineArn, region } from '#local/step-functions';
import { ensureGovernanceTable } from '#local/table';

export interface LocalStackOptions {
  /** Keeps DynamoDB data and the link key here (the local stack). Without it, all is in memory. */
  dataDir?: string;
  /** Use a DynamoDB Local that is already running (tests share one). */
  dynamoEndpoint?: string;
  /** Use an SES emulator that is already running (the crash tier keeps the mailbox outside the process it kills). */
  sesEndpoint?: string;
  tableName?: string;
  ports?: { http?: number; ses?: number; sfn?: number; dynamo?: number; secrets?: number };
  /** Seconds each approver has before a reminder; defaults to policy.json. */
  decisionWaitSeconds?: number;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Seeds the demo registry accounts with the demo directory (npm start; the tests seed their own). */
  demoAccounts?: boolean;
  /**
   * The first DTI administrators (FIRST_ADMIN_EMAILS, as `-c firstAdminEmails` sets it in AWS): while the
   * directory is empty they may sign in and see the setup page. Default: the shell's FIRST_ADMIN_EMAILS.
   */
  firstAdminEmails?: string[];
  /** Runs around every function invocation, from the HTTP API and the state machines alike (the benchmark attributes DynamoDB calls with it). */
  aroundInvoke?: (key: FunctionKey, invoke: () => Promise<unknown>) => Promise<unknown>;
}

export interface LocalStack {
  baseUrl: string;
  mailboxUrl: string;
  dynamoEndpoint: string;
  sfnEndpoint: string;
  /** The local Secrets Manager (the credential vault's AWS_ENDPOINT_URL_SECRETS_MANAGER). */
  secretsEndpoint: string;
  tableName: string;
  dataDir?: string;
  sfn: LocalStepFunctions;
  secrets: LocalSecretsManager;
  client: DynamoDBClient;
  /** The local HR bus: puts an HR event through the same rule and consumer as in AWS. */
  hr: ReturnType<typeof localHrBus>;
  /** The local bounces-and-complaints topic: publishes an SES notification to the `mailEvents` functions (the SES emulator bounces nothing). */
  mailEvents: ReturnType<typeof localMailEvents>;
  /** The local clock: moves calendar time forward by `days` (future separations), then ends every current wait. */
  advanceClock(days?: number): number;
  /** Executions re-run at start-up because they were unfinished. */
  resumed: string[];
  /** Runs one of the catalogue's schedules now, as its timer (or EventBridge Scheduler in AWS) would. */
  runSchedule(key: ScheduleKey): Promise<unknown>;
  /**
   * Runs the yearly schedules whose moment the local clock has passed (advanceClock starts this
   * check itself; awaiting this waits for it). The annual review starts this way.
   */
  runDueSchedules(): Promise<ScheduleRun[]>;
  /** Stored requests whose execution was started at start-up by the reconciler (they had none). */
  reconciled: { started: number; existing: number; cleared: number; handOvers: number };
  seeded: boolean;
  stop(): Promise<void>;
}

export const demoDirectory = demo as unknown as {
  people: Person[];
  departments: Department[];
  roles: RoleHolder[];
  platforms: { id: string; name: string }[];
  mailboxes: { dti: string; from: string };
};

/** The local link key: created once, kept (owner-only) beside the data, never committed. */
function linkKey(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64');
  const file = join(dataDir, 'link-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** The local vault key (seals the accounts' credentials at rest): like the link key, kept owner-only beside the data. */
function vaultKey(dataDir: string | undefined): Buffer {
  if (!dataDir) return randomBytes(32);
  const file = join(dataDir, 'vault-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/**
 * The local clock. Ending a wait stands for its timeout (reminders, escalation, expiry); `days`
 * also moves calendar time (LOCAL_CLOCK_OFFSET_MS, read by functions' adapters/clock) so that a
 * separation dated in the future can be seen to take effect.
 */
function advanceClock(sfn: LocalStepFunctions, days: number, schedulesDue?: () => Promise<ScheduleRun[]>): number {
  if (days > 0) {
    process.env.LOCAL_CLOCK_OFFSET_MS = String(Number(process.env.LOCAL_CLOCK_OFFSET_MS ?? 0) + days * 86_400_000);
    // The yearly schedules the move passed run in the background (runDueSchedules waits for them).
    if (schedulesDue) void schedulesDue();
  }
  return sfn.expireWaits();
}

/**
 * Brings up everything the handlers need, with no AWS account: DynamoDB Local, the SES emulator,
 * the local Step Functions host and the HTTP API, then re-runs unfinished executions. One stack
 * per process: handlers read the environment and create SDK clients once, as in Lambda.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir;
  const tableName = options.tableName ?? 'social-media-governance';
  const dynamo: RunningDynamo | undefined = options.dynamoEndpoint
    ? undefined
    : await startDynamo({ port: options.ports?.dynamo, dataDir: dataDir && join(dataDir, 'dynamodb') });
  const dynamoEndpoint = options.dynamoEndpoint ?? (dynamo as RunningDynamo).endpoint;
  const ses = options.sesEndpoint ? { endpoint: options.sesEndpoint, stop: async () => undefined } : await startSes({ port: options.ports?.ses });
  // Held from now until the API listens on it, so nothing else takes it while the rest starts.
  const reserved = options.ports?.http ? undefined : await reservePort();
  const httpPort = options.ports?.http ?? (reserved as { port: number }).port;
  const baseUrl = `http://127.0.0.1:${httpPort}`;

  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
  const created = await ensureGovernanceTable(client, tableName);
  const secrets = new LocalSecretsManager(client, vaultKey(dataDir));
  await secrets.ensureTable();
  const secretsEndpoint = await secrets.listen(options.ports?.secrets);

  let invoke: Awaited<ReturnType<typeof loadFunctions>> | undefined;
  const sfn = new LocalStepFunctions(
    client,
    (key, payload) => {
      if (!invoke) throw new Error('functions not loaded yet');
      return invoke(key, payload);
    },
    executionsTableFor(tableName),
  );
  await sfn.ensureTable();
  const sfnEndpoint = await sfn.listen(options.ports?.sfn);

  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SES: ses.endpoint,
    AWS_ENDPOINT_URL_SFN: sfnEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
    TABLE_NAME: tableName,
    PUBLIC_BASE_URL: baseUrl,
    MAIL_FROM: demoDirectory.mailboxes.from,
    DTI_EMAIL: demoDirectory.mailboxes.dti,
    ...Object.fromEntries(stateMachineKeys.map((key) => [stateMachineArnEnv(key), localStateMachineArn(key)])),
    LOCAL_LINK_KEY: linkKey(dataDir),
    POWERTOOLS_SERVICE_NAME: 'social-media-governance',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    AWS_LAMBDA_FUNCTION_NAME: 'local',
    LOCAL_CLOCK_OFFSET_MS: '0',
  });
  if (options.decisionWaitSeconds) process.env.DECISION_WAIT_SECONDS = String(options.decisionWaitSeconds);
  if (options.firstAdminEmails) process.env.FIRST_ADMIN_EMAILS = options.firstAdminEmails.join(',');
  const loaded = await loadFunctions();
  const around = options.aroundInvoke;
  invoke = around ? (key, event) => around(key, () => loaded(key, event)) : loaded;

  const { GovernanceStore } = await import('#adapters/store');
  const store = new GovernanceStore();
  const seeded = created || (await store.people()).length === 0;
  if (seeded) await store.putDirectory(demoDirectory);
  if (seeded && options.demoAccounts) {
    const { seedDemoAccounts } = await import('#local/demo-accounts');
    await seedDemoAccounts(DynamoDBDocumentClient.from(client), tableName);
  }

  const timers = localSchedules(invoke);
  const hrBus = localHrBus(invoke, () => process.env.HR_EVENT_SOURCE ?? 'cabq.hr');
  const api = new LocalHttpApi({
    invoke,
    people: () => store.people(),
    personById: (id) => (/^[A-Za-z0-9-]{1,20}$/.test(id) ? store.person(id) : Promise.resolve(undefined)),
    mailboxUrl: ses.endpoint,
    advanceClock: async (days) => {
      // The moment's runs are answered with the move (POST /dev/clock/advance shows what started).
      const endedWaits = advanceClock(sfn, days);
      return { endedWaits, schedules: await timers.runDue() };
    },
    putHrEvent: (entry) => hrBus.put(entry),
  });
  await reserved?.release();
  await api.listen(httpPort);
  const resumed = await sfn.resumeUnfinished();
  // Durable starts: whatever was stored before this start-up and never started is started now (no
  // handler of the last run can still be starting it), then on the catalogue's schedule, as in AWS.
  // A start that fails here does not stop the stack: the reconciler logged it, and its schedule retries.
  const reconciled = (await invoke('reconcileStarts', { olderThanSeconds: 0 }).catch((error: Error) => {
    console.error(
      `Some stored requests could not be started yet (${error.message}); the reconciler tries again every ${schedules.reconcileStarts.everyMinutes} minutes.`,
    );
    return { started: 0, existing: 0, cleared: 0, handOvers: 0 };
  })) as LocalStack['reconciled'];

  return {
    baseUrl,
    mailboxUrl: ses.endpoint,
    dynamoEndpoint,
    sfnEndpoint,
    secretsEndpoint,
    tableName,
    dataDir,
    sfn,
    secrets,
    client,
    hr: hrBus,
    mailEvents: localMailEvents(invoke),
    advanceClock: (days = 0) => advanceClock(sfn, days, timers.runDue),
    resumed,
    reconciled,
    runSchedule: timers.runNow,
    runDueSchedules: timers.runDue,
    seeded,
    async stop() {
      timers.stop();
      await api.stop();
      await sfn.stop();
      await secrets.stop();
      await ses.stop();
      client.destroy();
      await dynamo?.stop();
    },
  };
}
