/**
 * The report: the tables and notes `npm run bench` prints, one function per benchmark, from the
 * results the benchmarks return (the same figures latest.json holds). F's (the annual review) is in
 * report-review.ts, which shares printCapacityByFunction with C.
 */
import { version as esbuildVersion } from 'esbuild';
import type { ApprovalResults } from './approvals.ts';
import type { BundleResults } from './bundles.ts';
import { growthFigures, type OffSize, type offboardingGrowth } from './offboarding-growth.ts';
import { LINEAR_WITHIN, type OffboardingResults } from './offboarding.ts';
import type { PagesSummary } from './pages-summary.ts';
import { fmtFig, fmtInt, fmtKb, fmtMs, fmtPer, fmtUnits, printTable } from './print.ts';
import type { RestartRun, RestartSummary } from './restart.ts';
import { round } from './stats.ts';

/** A. Bundle sizes and cold import times. */
export function reportBundles(bundles: BundleResults) {
  printTable(
    `Lambda bundles as infra/bundling.ts makes them (esbuild ${esbuildVersion}, ${bundles.options.format}, ${bundles.options.target}, minified, AWS SDK bundled, source map as deployed: the size counts its comment line, not the .map). Cold import: median of ${bundles.importRuns} fresh node processes (Node ${bundles.childNode})`,
    ['function', 'minified', 'gzip', 'import median', 'p90', 'over empty', 'largest parts of the bundle'],
    [...bundles.functions, bundles.baseline].map((b) => [
      b.key,
      fmtInt(b.bytes),
      fmtInt(b.gzipBytes),
      `${b.importMs.median.toFixed(1)} ms`,
      `${b.importMs.p90.toFixed(1)} ms`,
      b.medianOverBaselineMs === undefined ? '(baseline)' : `+${b.medianOverBaselineMs.toFixed(1)} ms`,
      b.largestInputs
        .slice(0, 3)
        .map((i) => `${i.name} ${fmtKb(i.bytes)}`)
        .join(', '),
    ]),
    [false, true, true, true, true, true, false],
  );
  console.log('  Sizes in bytes. This machine is not Lambda (arm64, 512 MB): compare functions with each other and the baseline, not with Lambda init times.');
}

/** B. One approved request, per step against the floor, where the capacity goes, and submit → first approval email. */
export function reportApprovals({ approval: a, latency: l }: ApprovalResults, capacityReporting: { totalIncludesGsiWrites?: unknown }) {
  printTable(
    `One approved request (submit → ${a.steps} approval steps → outcome), local stack; ${a.meteredRuns} runs, ${a.stableAcrossRuns ? 'identical' : 'NOT identical (last shown)'}`,
    ['measure', 'whole request', `per approval step`, 'floor (issue)', 'gap'],
    [
      ['state transitions', a.transitions, fmtUnits(a.perStep.transitions), `~${a.floor.transitions}`, fmtUnits(a.perStep.transitions - a.floor.transitions)],
      [
        'DynamoDB write units',
        fmtUnits(a.writeUnits),
        fmtUnits(a.perStep.writeUnits),
        `~${a.floor.writeUnits}`,
        `+${fmtUnits(a.perStep.writeUnits - a.floor.writeUnits)}`,
      ],
      ['  of which table', '', fmtUnits(a.perStep.writeUnitsTable), '', ''],
      ...Object.entries(a.perStep.writeUnitsGsi).map(([g, u]) => [`  of which ${g}`, '', fmtUnits(u), '', '']),
      ['  write calls', '', fmtUnits(a.perStep.writeCalls), '', ''],
      ['DynamoDB read units', fmtUnits(a.readUnits), fmtUnits(a.perStep.readUnits), '', ''],
      ['emails sent', a.emails, a.perStep.approvalEmails, '', ''],
    ],
    [false, true, true, true, true],
  );
  const gsiPerStep = Object.entries(a.perStep.writeUnitsGsi);
  const gsiTotal = gsiPerStep.reduce((n, [, u]) => n + u, 0);
  console.log(
    `  Gap: per step ${fmtUnits(a.perStep.writeCalls)} writes to the approval item (GovernanceStore.createApproval, which also claims its first email's key; MailLedger.confirm, which also sets emailedAt; GovernanceStore.recordDecision) = ${fmtUnits(a.perStep.writeUnitsTable)} table units, the floor;` +
      ` +${fmtUnits(gsiTotal)} index units (${gsiPerStep.map(([g, u]) => `${g} ${fmtUnits(u)}`).join(', ')}): the approval's entry in the sparse KEYS_ONLY ByApprovalId index, written when the approval is created; later updates change no projected attribute, so they write no index.`,
  );
  console.log(`  Per step = the calls made by requestApproval and decideApproval (attribution ${a.attribution}), ÷ ${a.steps}.`);
  console.log('  Transitions per step = (total − RecordOutcome) ÷ steps. Emails: one approval email per step, plus the outcome emails (requester, DTI).');
  console.log(
    `  Capacity as DynamoDB Local reports it with ReturnConsumedCapacity (the app asks for TOTAL, which here ${capacityReporting.totalIncludesGsiWrites ? 'includes' : 'does NOT include'} GSI writes; the bench asks for INDEXES to split them out). Recorder matches the app's meter: ${a.recorderMatchesMeter ? 'yes' : 'NO'}.`,
  );

  printTable(
    'Where the capacity goes (one approved request), by function and store method',
    ['phase(s)', 'function', 'store call', 'calls', 'read units', 'write units', 'table', ...Object.keys(a.perStep.writeUnitsGsi)],
    a.operations.map((o) => [
      o.phases.join(', '),
      o.fn,
      o.op,
      o.calls,
      fmtUnits(o.read),
      fmtUnits(o.write),
      fmtUnits(o.table),
      ...Object.keys(a.perStep.writeUnitsGsi).map((g) => fmtUnits(o.gsi[g] ?? 0)),
    ]),
    [false, false, false, ...Object.keys(a.perStep.writeUnitsGsi).map(() => true), true, true, true, true],
  );

  printTable(
    'By phase (each starts with nothing running)',
    ['phase', 'covers', 'read units', 'write units'],
    a.phases.map((p, i) => [
      p.phase,
      i === 0
        ? 'POST /requests + step 1 task (email, park token)'
        : i < a.phases.length - 1
          ? `decision ${i} + step ${i + 1} task`
          : `decision ${i} + RecordOutcome`,
      fmtUnits(p.read),
      fmtUnits(p.write),
    ]),
    [false, false, true, true],
  );

  printTable(
    `Submit → first approval email in the SES store (${l.requests} requests, one at a time, after ${l.warmupExcluded} earlier requests)`,
    ['measure', 'median', 'p90', 'min', 'max'],
    [
      [
        'submit → approval email',
        `${l.submitToFirstApprovalEmailMs.median} ms`,
        `${l.submitToFirstApprovalEmailMs.p90} ms`,
        `${l.submitToFirstApprovalEmailMs.min} ms`,
        `${l.submitToFirstApprovalEmailMs.max} ms`,
      ],
      [
        'POST /requests response',
        `${l.submitResponseMs.median} ms`,
        `${l.submitResponseMs.p90} ms`,
        `${l.submitResponseMs.min} ms`,
        `${l.submitResponseMs.max} ms`,
      ],
    ],
    [false, true, true, true, true],
  );
  console.log(`  ${l.note}`);
}

/** C. Offboarding at both sizes, how each figure grows in accounts, and where the capacity goes. */
export function reportOffboarding(off: OffboardingResults, { growth, notes }: ReturnType<typeof offboardingGrowth>) {
  const [small, large] = off.sizes as [OffSize, OffSize];
  const figures = growthFigures(off.timedRuns);
  printTable(
    `Offboarding one employee on the local stack (one co-admin per account; capacity without the local dev sign-in; ${small.accounts} vs ${large.accounts} accounts)`,
    [
      'measure',
      `${small.accounts} accounts`,
      'per account',
      `${large.accounts} accounts`,
      'per account',
      `per acct ${large.accounts}÷${small.accounts}`,
      'grows',
    ],
    figures.map((f, i) => {
      const g = growth[i] as { perAccountRatio?: number; verdict: string; fit?: { fixed: number; perAccount: number } };
      const [t1, t2] = [f.of(small), f.of(large)];
      return [
        f.measure,
        fmtFig(t1),
        t1 === undefined ? 'n/a' : fmtFig(t1 / small.accounts),
        fmtFig(t2),
        t2 === undefined ? 'n/a' : fmtFig(t2 / large.accounts),
        g.perAccountRatio === undefined ? '' : `×${g.perAccountRatio.toFixed(2)}`,
        (g.verdict === 'linear + a fixed part' || f.within !== undefined) && g.fit
          ? `${g.verdict} (≈ ${fmtFig(g.fit.fixed)} + ${fmtFig(g.fit.perAccount)}/account)`
          : g.verdict,
      ];
    }),
    [false, true, true, true, true, true, false],
  );
  console.log(
    `  Times: ${off.timedRuns} runs per size with metering off (samples in latest.json); GET /store polled every ${off.pollMs} ms once the Map has entered its last iteration, so a figure is late by up to one poll plus one GET. Everything (functions, engine, SES emulator) shares this process; DynamoDB Local has its data on disk.`,
  );
  console.log(
    `  Local dev sign-in (the local host's cookie lookup; the AWS authorizer verifies a JWT and reads no table), left out above: ${fmtUnits(small.capacity.localDevSignIn.read)} and ${fmtUnits(large.capacity.localDevSignIn.read)} read units. Recorder matches the app's meter: ${off.sizes.every((s) => s.capacity.recorderMatchesMeter) ? 'yes' : 'NO'}. Transitions and emails the same in every run of a size: ${off.sizes.every((s) => s.transitions.stableAcrossRuns && s.emailsStableAcrossRuns) ? 'yes' : 'NO'}.`,
  );

  printCapacityByFunction(off.sizes);

  // The store calls whose cost per account differs between the sizes: the fixed costs (falling) and the growing ones.
  const callKeys = [...new Set(off.sizes.flatMap((s) => s.capacity.byCall.map((c) => `${c.phase}\u0000${c.fn}\u0000${c.op}`)))];
  const callOf = (s: OffSize, k: string) => {
    const c = s.capacity.byCall.find((x) => `${x.phase}\u0000${x.fn}\u0000${x.op}` === k);
    return { calls: c?.calls ?? 0, units: (c?.read ?? 0) + (c?.write ?? 0), gsiWrite: c?.gsiWrite ?? 0 };
  };
  const changing = callKeys
    .map((k) => {
      const [a, b] = [callOf(small, k), callOf(large, k)];
      const [pa, pb] = [a.units / small.accounts, b.units / large.accounts];
      return { k, a, b, pa, pb, delta: pb - pa };
    })
    .filter((c) => Math.abs(c.delta) > LINEAR_WITHIN * Math.max(c.pa, c.pb) && (c.pa > 0 || c.pb > 0))
    .sort((x, y) => y.delta - x.delta);
  printTable(
    `Store calls whose units per account change from ${small.accounts} to ${large.accounts} accounts (growing first, then fixed costs spread thinner)`,
    [
      'phase',
      'function',
      'store call',
      `calls ${small.accounts}`,
      String(large.accounts),
      `units/call ${small.accounts}`,
      String(large.accounts),
      `units/acct ${small.accounts}`,
      String(large.accounts),
    ],
    changing.map(({ k, a, b, pa, pb }) => {
      const [phase, fn, op] = k.split('\u0000') as [string, string, string];
      return [
        phase,
        fn,
        op,
        a.calls,
        b.calls,
        a.calls ? fmtUnits(round(a.units / a.calls, 2)) : '-',
        b.calls ? fmtUnits(round(b.units / b.calls, 2)) : '-',
        fmtPer(pa),
        fmtPer(pb),
      ];
    }),
    [false, false, false, true, true, true, true, true, true],
  );
  console.log('\n  Does it grow linearly in accounts?');
  for (const line of notes) console.log(`  - ${line}`);
}

/** D. The restart with stored requests that have no execution. */
export function reportRestart(restart: RestartSummary) {
  const rr = restart.runs;
  const n = restart.requests;
  const restartTimes = restart.times;
  const restartRow = (measure: string, st: { median: number; min: number; max: number }, perRequest = false) => [
    measure,
    fmtMs(st.median),
    fmtMs(st.min),
    fmtMs(st.max),
    perRequest ? `${(st.median / n).toFixed(1)} ms` : '',
  ];
  printTable(
    `Restart with ${n} stored requests that have no execution (from the call to startLocalStack; median of ${rr.length} runs, DynamoDB Local ${restart.dynamo === 'disk' ? 'with its data on disk' : 'in memory, kept across the restart'})`,
    ['measure', 'median', 'min', 'max', `÷ ${n}`],
    [
      restartRow('startLocalStack → returned (the reconciler runs before it returns)', restartTimes.startMs),
      restartRow('  before the reconciler (DynamoDB Local, emulators, functions, HTTP API, resume)', restartTimes.untilReconcilerMs),
      restartRow('  the reconciler at start-up (reconcileStarts, invoked → returned)', restartTimes.reconcilerMs, true),
      restartRow('→ the last of the executions started (its startDate in the host)', restartTimes.lastExecutionStartedMs),
      restartRow(`→ every one of the ${n} found by stack.sfn.describe, RUNNING`, restartTimes.allDescribedMs),
      restartRow(`→ every first approval email in the SES emulator`, restartTimes.allFirstEmailsMs),
      restartRow('→ every execution parked at AwaitDecision', restartTimes.allParkedMs),
    ],
    [false, true, true, true, true],
  );
  const lastRestart = rr[rr.length - 1] as RestartRun;
  const restartGsis = [...new Set(lastRestart.capacity.byCall.flatMap((c) => Object.keys(c.gsi)))].sort();
  const perRequest = (x: number) => String(round(x / n, 3));
  printTable(
    `Where the restart's DynamoDB capacity goes (last run), by function and store call; per request = ÷ ${n}`,
    ['function', 'store call', 'calls', 'read units', 'write units', 'table', ...restartGsis, 'read/request', 'write/request'],
    lastRestart.capacity.byCall.map((c) => [
      c.fn,
      c.op,
      c.calls,
      fmtUnits(c.read),
      fmtUnits(c.write),
      fmtUnits(c.table),
      ...restartGsis.map((g) => fmtUnits(c.gsi[g] ?? 0)),
      perRequest(c.read),
      perRequest(c.write),
    ]),
    [false, false, true, true, true, true, ...restartGsis.map(() => true), true, true],
  );
  const { reconcilerUnits, firstTaskUnits, reconcilerUnitsStableAcrossRuns: restartStable } = restart;
  console.log(
    `  The reconciler: ${fmtUnits(reconcilerUnits.read)} read and ${fmtUnits(reconcilerUnits.write)} write units for the ${n} (${perRequest(reconcilerUnits.read)} and ${perRequest(reconcilerUnits.write)} per request${restartStable ? ', the same in every run' : '; NOT the same in every run, see latest.json'}); each execution's first task (requestApproval, its email and parked token) ${perRequest(firstTaskUnits.read)} and ${perRequest(firstTaskUnits.write)} more. Step Functions' own bookkeeping (the local host's executions table) is not the app's DynamoDB and is not counted.`,
  );
  console.log(
    `  Reconciled at start-up: ${rr.map((r) => `${r.reconciled.started} started, ${r.reconciled.existing} existing, ${r.reconciled.cleared} cleared`).join('; ')}. Executions resumed: ${rr.map((r) => r.resumed).join(', ')}. Recorder matches the app's meter: ${rr.every((r) => r.capacity.recorderMatchesMeter) ? 'yes' : 'NO'}. A stored request is ${fmtInt(lastRestart.requestItemBytes)} bytes (as JSON, with its pendingStart marker).`,
  );
  console.log(
    `  Set-up per run: ${n} POST /requests (${restart.seedConcurrency} at a time), each handler stopped at its start:before-start-execution checkpoint, so it stored the request and answered 201 but never called StartExecution; checked: all ${n} in ByPendingStart, none with an execution. Then stop() and startLocalStack() on the same table, data dir and ports. The reconciler starts them ten at a time while the executions it has started run their first task in the same process (one process on this machine: the engine, the functions and the emulators share its cores, so the ten at a time barely shortens it here). The mailbox is read every ${restart.pollMs} ms once every first task has begun (before that not every email can be there), so a figure is late by up to one poll plus one GET.`,
  );
}

/** E. The everyday pages at both registry sizes: latency at the larger, read units at both, and where they go. */
export function reportPages(p: PagesSummary) {
  const [small, large] = p.sizes as [PagesSummary['sizes'][number], PagesSummary['sizes'][number]];
  const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(1)} ms`);
  printTable(
    `Everyday pages as HTML, signed in as ${p.viewer} (the Parks and Recreation Director); ${p.requests} requests each after ${p.warmup} warm-up rounds, one at a time, pages in turn; latency at ${fmtInt(large.accounts)} accounts (${fmtInt(large.records)} records, ${fmtInt(large.grants)} grants); read units per request at ${small.accounts} and at ${fmtInt(large.accounts)}`,
    [
      'page',
      'median',
      'p90',
      'min',
      'max',
      `median at ${small.accounts}`,
      `read units at ${small.accounts}`,
      `at ${fmtInt(large.accounts)}`,
      `rows at ${small.accounts}`,
      `at ${fmtInt(large.accounts)}`,
      'read units grow?',
    ],
    large.pages.map((q, i) => {
      const a = small.pages[i];
      const g = p.growth[i];
      const units = (x: typeof q | undefined) =>
        x ? `${fmtUnits(x.readUnits.perRequest ?? 0)}${x.readUnits.sameEveryRequest ? '' : ` (varies: ${x.readUnits.distinct.join(', ')})`}` : 'n/a';
      const rows = (x: typeof q | undefined) => (x?.shown ? `${x.shown.rows}${x.shown.more ? '+' : ''}` : 'n/a');
      const failed = (x: typeof q | undefined) => (x && Object.keys(x.statuses).some((s) => s !== '200') ? ` [answered ${JSON.stringify(x.statuses)}]` : '');
      return [
        `${q.label}${failed(q)}${failed(a)}`,
        ms(q.ms?.median),
        ms(q.ms?.p90),
        ms(q.ms?.min),
        ms(q.ms?.max),
        ms(a?.ms?.median),
        units(a),
        units(q),
        rows(a),
        rows(q),
        g?.verdict ?? '',
      ];
    }),
    [false, true, true, true, true, true, true, true, true, true, false],
  );
  const all = p.sizes.flatMap((s) => s.pages);
  const signIn = [...new Set(all.flatMap((x) => x.readUnits.localDevSignIn))];
  console.log(
    `  Read units: the page's function only (attributed by the stack's aroundInvoke hook), the meter reset before each request; the same in every request of a page: ${all.every((x) => x.readUnits.sameEveryRequest) ? 'yes' : 'NO (see latest.json)'}, warm-ups included: ${all.every((x) => x.readUnits.warmup.every((u) => u === x.readUnits.perRequest)) ? 'yes' : 'no'}. The local dev sign-in's cookie lookup (the AWS authorizer verifies a JWT and reads no table) is left out: ${signIn.map(fmtUnits).join(', ')} a request. Writes during the pages: ${fmtUnits(all.reduce((n, x) => n + x.writeUnits, 0))}; units from other functions meanwhile: ${fmtUnits(all.reduce((n, x) => n + x.otherUnits, 0))}.`,
  );
  console.log(
    `  Rows: accounts on a registry page (+ when there is a next page; a page is 25), approvals on My work, items filed under the account. Search "${p.search}": two handles in three start with it, so it fills a page at ${small.accounts} accounts already; department ${p.filterDepartment} holds ${small.pages.find((x) => x.key === 'department')?.shown?.rows ?? '?'} of the ${small.accounts} (a part page) and fills one at ${fmtInt(large.accounts)}: its units follow the rows shown, at most a page, never the registry.`,
  );
  console.log(
    `  Latency: fetch → whole body read, the capacity meter on (ReturnConsumedCapacity on every call); DynamoDB Local ${p.dynamo === 'memory' ? 'in memory (seeding 2,000 accounts on disk would not fit the watchdog)' : 'with its data on disk'}; the stack, its functions and the emulators share this process's cores with whatever else runs on the machine. Set-up (BatchWrite, not measured): ${p.sizes.map((s) => `${fmtInt(s.seededItems)} items in ${(s.seedMs / 1000).toFixed(1)} s`).join(', then ')}.`,
  );
  const errors = all.filter((x) => x.error);
  for (const x of errors) console.log(`  ${x.label} answered ${x.error}`);

  printTable(
    `Where each page's read units go at ${fmtInt(large.accounts)} accounts (last timed request), by store call`,
    ['page', 'store call', 'calls', 'read units', `at ${small.accounts}`],
    large.pages.flatMap((q, i) =>
      q.byCall.map((c, k) => {
        const before = small.pages[i]?.byCall.find((b) => b.op === c.op);
        return [k === 0 ? q.label : '', c.op, c.calls, fmtUnits(c.read), before ? fmtUnits(before.read) : '-'];
      }),
    ),
    [false, false, true, true, true],
  );
}

/** Where the capacity goes, per account, by phase and function, at both sizes (sections C and F, report-review.ts). */
export function printCapacityByFunction(
  sizes: readonly { accounts: number; capacity: { byFunction: readonly { phase: string; fn: string; calls: number; read: number; write: number }[] } }[],
) {
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  if (!small || !large) return;
  const fnKeys = [...new Set(sizes.flatMap((s) => s.capacity.byFunction.map((f) => `${f.phase}\u0000${f.fn}`)))];
  const perAcct = (s: typeof small, phase: string, fn: string) => {
    const f = s.capacity.byFunction.find((x) => x.phase === phase && x.fn === fn);
    return { calls: (f?.calls ?? 0) / s.accounts, read: (f?.read ?? 0) / s.accounts, write: (f?.write ?? 0) / s.accounts };
  };
  printTable(
    'Where the capacity goes, per account, by phase and function (calls, read units, write units)',
    [
      'phase',
      'function',
      `calls/acct ${small.accounts}`,
      String(large.accounts),
      `read/acct ${small.accounts}`,
      String(large.accounts),
      `write/acct ${small.accounts}`,
      String(large.accounts),
    ],
    fnKeys.map((k) => {
      const [phase, fn] = k.split('\u0000') as [string, string];
      const [a, b] = [perAcct(small, phase, fn), perAcct(large, phase, fn)];
      return [phase, fn, fmtPer(a.calls), fmtPer(b.calls), fmtPer(a.read), fmtPer(b.read), fmtPer(a.write), fmtPer(b.write)];
    }),
    [false, false, true, true, true, true, true, true],
  );
}
