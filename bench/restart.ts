/**
 * D. A restart with requests stored but never started (durable starts: functions/adapters/workflow-starts.ts,
 * functions/reconcile-starts.ts). Each run, on a fresh local stack with its data on disk:
 *
 *   1. 100 requests are submitted through POST /requests, and each submit handler stops just before
 *      StartExecution (its `start:before-start-execution` checkpoint throws, as a throttled or failed start
 *      would): the handler has stored the request with its `pendingStart` marker, exactly as it always
 *      does, answered 201, and left the start to the reconciler. Checked: all 100 are in ByPendingStart
 *      and none has an execution.
 *   2. The stack is stopped and started again on the same data (same table, data dir and ports).
 *   3. Measured from the call to startLocalStack: its return (it runs the reconciler before it returns),
 *      every one of the 100 having its execution (stack.sfn.describe), every first approval email in the
 *      SES emulator, every execution parked at its first approver; and the DynamoDB capacity of the
 *      restart by function and store call.
 *
 * It runs in a process of its own, started by bench/run.ts (`tsx bench/restart.ts out.json` runs it
 * alone): the functions keep the endpoints and the table they were first loaded with, so a process
 * hosts one stack's ports and table name, which is also what a restart on the same data needs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStack, LocalStackOptions } from '#local/stack';
import { validForm } from '../test/support/forms.ts';
import { round, sleep, spread } from './stats.ts';
import { type CallTotals, StoreCallRecorder, totalsByCall } from './store-calls.ts';

export const RESTART_REQUESTS = 100;
export const RESTART_RUNS = 3;
/** Submits in flight at once while storing the requests (not measured). */
const SEED_CONCURRENCY = 4;
/** Mailbox poll interval once every execution has begun its first task. */
export const RESTART_POLL_MS = 10;
const REQUESTER = 'E102';
/** The first step of every request: the Department Director (as in B). */
const FIRST_APPROVER = 'dbaca@cabq.example';
/** Label for DynamoDB calls made outside any function (the stack's own start-up check of the directory). */
const STARTUP = '(startLocalStack itself)';

/** One store call's totals over the restart (see store-calls.ts). */
export type RestartCall = CallTotals;

export interface RestartRun {
  requests: number;
  /** startLocalStack called → returned. It starts DynamoDB Local on the data dir, the emulators and the functions, re-runs unfinished executions, then runs the reconciler. */
  startMs: number;
  /** startLocalStack called → the reconciler invoked: everything before it. */
  untilReconcilerMs: number;
  /** The reconciler's invocation at start-up, invoked → returned. */
  reconcilerMs: number;
  /** startLocalStack called → the last of the executions started (the startDate the host recorded). */
  lastExecutionStartedMs: number;
  /** startLocalStack called → every one found by stack.sfn.describe, RUNNING (checked once startLocalStack returned). */
  allDescribedMs: number;
  /** startLocalStack called → every request's first approval email in the SES emulator's store. */
  allFirstEmailsMs: number;
  /** startLocalStack called → every execution parked at AwaitDecision (its first task has returned). */
  allParkedMs: number;
  reconciled: { started: number; existing: number; cleared: number };
  resumed: number;
  /** Storing the requests through POST /requests (set-up, not part of the restart). */
  seedMs: number;
  /** The stored requests' item size as JSON (one of them), with its pendingStart marker. */
  requestItemBytes: number;
  capacity: { read: number; write: number; recorderMatchesMeter: boolean; byCall: RestartCall[] };
}

export interface RestartResults {
  requests: number;
  runs: RestartRun[];
  dynamo: 'disk' | 'memory';
  seedConcurrency: number;
  pollMs: number;
}

async function main(outFile: string | undefined) {
  // A stuck stack must not hang the benchmark: exiting runs startDynamo's exit hook, which kills DynamoDB Local.
  setTimeout(() => {
    console.error('bench (restart): still running after 4 minutes; giving up.');
    process.exit(1);
  }, 240_000).unref();
  process.env.METER_DYNAMODB = '1';
  const { startLocalStack } = await import('#local/stack');
  const { freePort, startDynamo } = await import('#local/services');
  const { installCheckpointHook } = await import('#adapters/checkpoints');
  const inMemory = process.env.BENCH_DYNAMO === 'memory';

  // One set of ports and one table name for every start in this process (see the header).
  const picked = new Set<number>();
  while (picked.size < 5) picked.add(await freePort());
  const [http, ses, sfn, dynamo, secrets] = [...picked] as [number, number, number, number, number];
  const ports = { http, ses, sfn, dynamo, secrets };
  const tableName = `bench-restart-${randomBytes(6).toString('hex')}`;
  const mailboxUrl = `http://127.0.0.1:${ports.ses}`;
  const fnContext = new AsyncLocalStorage<{ fn: string }>();

  /** Function invocations of the measured start-up, in ms from its t0. */
  let invocations: { fn: string; at: number; done?: number }[] = [];
  let t0 = 0;
  const aroundInvoke: LocalStackOptions['aroundInvoke'] = (key, invoke) =>
    fnContext.run({ fn: key }, async () => {
      const entry: { fn: string; at: number; done?: number } = { fn: key, at: performance.now() - t0 };
      invocations.push(entry);
      try {
        return await invoke();
      } finally {
        entry.done = performance.now() - t0;
      }
    });

  let recorder: StoreCallRecorder | undefined;

  const runs: RestartRun[] = [];
  for (let run = 0; run < RESTART_RUNS; run += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), 'smg-bench-restart-'));
    // In memory (BENCH_DYNAMO=memory, as the tests): one DynamoDB Local outlives the restart, as a shared one would.
    const memoryDynamo = inMemory ? await startDynamo({ port: ports.dynamo }) : undefined;
    const options: LocalStackOptions = { dataDir, tableName, ports, dynamoEndpoint: memoryDynamo?.endpoint, logLevel: 'ERROR', aroundInvoke };
    let stack: LocalStack | undefined;
    try {
      stack = await startLocalStack(options);
      const { capacityMeter } = await import('#adapters/dynamo-client');
      const { GovernanceStore } = await import('#adapters/store');
      capacityMeter.enabled = false;
      recorder ??= new StoreCallRecorder(
        capacityMeter,
        () => fnContext.getStore()?.fn,
        () => STARTUP,
      );

      // 1. Requests stored by the submit handler, whose start never happens.
      console.error(`  run ${run + 1}/${RESTART_RUNS}: storing ${RESTART_REQUESTS} requests whose handler stops before StartExecution…`);
      installCheckpointHook((name) => {
        if (name === 'start:before-start-execution') throw new Error('bench: this submit stops before StartExecution');
      });
      const ids: string[] = [];
      const live = stack;
      const seedStarted = performance.now();
      const submitOne = async () => {
        const res = await fetch(`${live.baseUrl}/requests`, {
          method: 'POST',
          headers: { cookie: `dev_user=${REQUESTER}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            ...validForm,
            proposedHandle: `@restart${randomBytes(5).toString('hex')}`,
            submissionId: randomBytes(9).toString('base64url'),
          }),
        });
        const body = (await res.json()) as { requestId?: string };
        if (res.status !== 201 || !body.requestId) throw new Error(`submit failed: ${res.status} ${JSON.stringify(body)}`);
        ids.push(body.requestId);
      };
      await Promise.all(
        Array.from({ length: SEED_CONCURRENCY }, async (_, worker) => {
          for (let i = worker; i < RESTART_REQUESTS; i += SEED_CONCURRENCY) await submitOne();
        }),
      );
      installCheckpointHook(undefined);
      const seedMs = performance.now() - seedStarted;
      const store = new GovernanceStore();
      const pending = new Set<string>();
      let page: Awaited<ReturnType<InstanceType<typeof GovernanceStore>['pendingStarts']>> | undefined;
      do {
        page = await store.pendingStarts('newAccountApproval', new Date(Date.now() + 60_000).toISOString(), page?.next);
        for (const id of page.requestIds) pending.add(id);
      } while (page.next);
      const started = (await Promise.all(ids.map((id) => live.sfn.describe(id)))).filter(Boolean).length;
      if (pending.size !== RESTART_REQUESTS || !ids.every((id) => pending.has(id)) || started !== 0) {
        throw new Error(`setup: ${pending.size} pending (want ${RESTART_REQUESTS}, all ours), ${started} with an execution (want 0)`);
      }
      const sample = await live.client.send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: `REQ#${ids[0]}` }, SK: { S: 'META' } } }));
      if (!sample.Item?.pendingStart) throw new Error('setup: the stored request has no pendingStart marker');
      const requestItemBytes = Buffer.byteLength(JSON.stringify(sample.Item));
      // The emulator's store lives in this process and outlives its server: start each run with it empty.
      await fetch(`${mailboxUrl}/clear-store`, { method: 'POST' });
      await stack.stop();
      stack = undefined;

      // 2–3. Start again on the same data, and watch.
      console.error(`  run ${run + 1}/${RESTART_RUNS}: restarting on the same data…`);
      invocations = [];
      recorder.start('restart');
      capacityMeter.reset();
      capacityMeter.enabled = true;
      const want = new Set(ids);
      const marks: { emails?: number; parked?: number } = {};
      let restarted: LocalStack | undefined;
      const wallT0 = Date.now();
      t0 = performance.now();
      // Watches from t0, so an email that lands while startLocalStack is still running counts when it lands.
      // The whole store is read only once every execution has begun its first task (before that, not
      // every email can be there), so the watching costs the start-up almost nothing.
      const watching = (async () => {
        const deadline = Date.now() + 90_000;
        while (marks.emails === undefined || marks.parked === undefined) {
          if (Date.now() > deadline) throw new Error(`restart: within 90 s, emails ${marks.emails ?? 'not all'}, parked ${marks.parked ?? 'not all'}`);
          const begun = invocations.filter((i) => i.fn === 'requestApproval').length;
          if (begun >= RESTART_REQUESTS) {
            if (marks.emails === undefined) {
              const emails = (
                (await (await fetch(`${mailboxUrl}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string; body: { text?: string } }[] }
              ).emails;
              const seen = new Set<string>();
              for (const e of emails) {
                if (!e.destination.to.includes(FIRST_APPROVER) || !e.subject.startsWith('Decision needed')) continue;
                for (const [id] of (e.body.text ?? '').matchAll(/\bna-\d{8}-[0-9a-f]{16}\b/g)) if (want.has(id)) seen.add(id);
              }
              if (seen.size === want.size) marks.emails = performance.now() - t0;
            }
            if (marks.parked === undefined && restarted && ids.every((id) => (restarted as LocalStack).sfn.waitingOn(id).length > 0)) {
              marks.parked = performance.now() - t0;
            }
          }
          await sleep(RESTART_POLL_MS);
        }
      })();
      restarted = await startLocalStack(options);
      stack = restarted;
      const startMs = performance.now() - t0;
      const records = await Promise.all(ids.map((id) => (restarted as LocalStack).sfn.describe(id)));
      const allDescribedMs = performance.now() - t0;
      if (!records.every((r) => r?.status === 'RUNNING')) {
        throw new Error(
          `restart: ${records.filter((r) => r?.status === 'RUNNING').length} of ${RESTART_REQUESTS} executions RUNNING once startLocalStack returned`,
        );
      }
      await watching;
      const calls = recorder.stop();
      capacityMeter.enabled = false;

      const reconciler = invocations.find((i) => i.fn === 'reconcileStarts');
      const byCall = totalsByCall(calls).map(({ sources, ...totals }): RestartCall => totals);
      const recorded = calls.reduce((s, c) => ({ read: s.read + c.read, write: s.write + c.write }), { read: 0, write: 0 });
      const same = (a: number, b: number) => Math.abs(a - b) < 1e-6;
      runs.push({
        requests: RESTART_REQUESTS,
        startMs,
        untilReconcilerMs: reconciler?.at ?? Number.NaN,
        reconcilerMs: reconciler?.done !== undefined ? reconciler.done - reconciler.at : Number.NaN,
        lastExecutionStartedMs: Math.max(...records.map((r) => Date.parse(r?.startDate ?? ''))) - wallT0,
        allDescribedMs,
        allFirstEmailsMs: marks.emails as number,
        allParkedMs: marks.parked as number,
        reconciled: restarted.reconciled,
        resumed: restarted.resumed.length,
        seedMs,
        requestItemBytes,
        capacity: {
          read: capacityMeter.read,
          write: capacityMeter.write,
          recorderMatchesMeter: same(recorded.read, capacityMeter.read) && same(recorded.write, capacityMeter.write),
          byCall,
        },
      });
    } finally {
      installCheckpointHook(undefined);
      await stack?.stop();
      await memoryDynamo?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const results: RestartResults = {
    requests: RESTART_REQUESTS,
    runs,
    dynamo: inMemory ? 'memory' : 'disk',
    seedConcurrency: SEED_CONCURRENCY,
    pollMs: RESTART_POLL_MS,
  };
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (outFile) writeFileSync(outFile, json);
  else process.stdout.write(json);
}

/** Runs this file in a process of its own (see the header) and sums up its runs: times over the runs, and the units of the reconciler and of each first task. */
export async function benchRestart(repoRoot: string, env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'smg-bench-restart-out-'));
  const out = join(dir, 'restart.json');
  let restart: RestartResults;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'restart.ts'), out], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`bench/restart.ts exited with ${code}`);
    restart = JSON.parse(readFileSync(out, 'utf8')) as RestartResults;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const n = restart.requests;
  const ms = (f: (r: RestartRun) => number) => spread(restart.runs.map(f));
  const times = {
    startMs: ms((r) => r.startMs),
    untilReconcilerMs: ms((r) => r.untilReconcilerMs),
    reconcilerMs: ms((r) => r.reconcilerMs),
    lastExecutionStartedMs: ms((r) => r.lastExecutionStartedMs),
    allDescribedMs: ms((r) => r.allDescribedMs),
    allFirstEmailsMs: ms((r) => r.allFirstEmailsMs),
    allParkedMs: ms((r) => r.allParkedMs),
  };
  const last = restart.runs[restart.runs.length - 1] as RestartRun;
  const reconcilerUnits = unitsOfFunction(last, 'reconcileStarts');
  const firstTaskUnits = unitsOfFunction(last, 'requestApproval');
  const perRequest = (u: { read: number; write: number }) => ({ ...u, perRequest: { read: round(u.read / n, 3), write: round(u.write / n, 3) } });
  return {
    ...restart,
    times,
    reconcilerUnits: perRequest(reconcilerUnits),
    firstTaskUnits: perRequest(firstTaskUnits),
    reconcilerUnitsStableAcrossRuns: restart.runs.every((r) => JSON.stringify(unitsOfFunction(r, 'reconcileStarts')) === JSON.stringify(reconcilerUnits)),
  };
}

/** The read and write units one function's calls cost over a restart. */
export function unitsOfFunction(r: RestartRun, fn: string) {
  return r.capacity.byCall.filter((c) => c.fn === fn).reduce((s, c) => ({ read: s.read + c.read, write: s.write + c.write }), { read: 0, write: 0 });
}

export type RestartSummary = Awaited<ReturnType<typeof benchRestart>>;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2]);
  process.exit(0);
}
