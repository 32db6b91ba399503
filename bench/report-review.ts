/**
 * Section F of the report (the annual review): the tables and notes `npm run bench` prints from what
 * benchReview (review-summary.ts) returns; the other sections, and the capacity-by-function table F
 * shares with C, are in report.ts.
 */
import { fmtFig, fmtInt, fmtMs, fmtPer, fmtUnits, printTable } from './print.ts';
import { printCapacityByFunction } from './report.ts';
import { type ReviewResults, type ReviewSize, reviewFigures } from './review-summary.ts';
import { round } from './stats.ts';

/** F. The annual review at both sizes: time, transitions, units per account by phase, function and store call, emails, and how each grows. */
export function reportReview(r: ReviewResults) {
  const [small, large] = r.sizes as [ReviewSize, ReviewSize];
  const figures = reviewFigures(small.timedRuns);
  const label = (s: ReviewSize) => `${s.accounts} accts/${s.departments} depts`;
  printTable(
    `One City-wide annual review on the local stack (${small.accountsPerDepartment} accounts a department, ${r.grantsPerAccount} on each; the directory: the size's departments + DTI; capacity without the local dev sign-in; ${label(small)} vs ${label(large)})`,
    ['measure', label(small), 'per acct', 'per dept', label(large), 'per acct', 'per dept', `${large.accounts}÷${small.accounts} per unit`, 'grows'],
    figures.map((f, i) => {
      const g = r.growth[i] as { perUnitRatio?: number; verdict: string; fit?: Record<string, number> };
      const [t1, t2] = [f.of(small), f.of(large)];
      const per = (t: number | undefined, n: number) => (t === undefined ? 'n/a' : fmtFig(t / n));
      const slope = g.fit?.[`per${f.per}`];
      return [
        f.measure,
        fmtFig(t1),
        per(t1, small.accounts),
        per(t1, small.departments),
        fmtFig(t2),
        per(t2, large.accounts),
        per(t2, large.departments),
        g.perUnitRatio === undefined ? '' : `×${g.perUnitRatio.toFixed(2)} /${f.per === 'account' ? 'acct' : 'dept'}`,
        g.fit && g.verdict !== 'constant' && !g.verdict.includes('too noisy')
          ? `${g.verdict} (≈ ${fmtFig(g.fit.fixed)} + ${fmtFig(slope)}/${f.per})`
          : g.verdict,
      ];
    }),
    [false, true, true, true, true, true, true, true, false],
  );
  console.log(
    `  Times: one timed review per process with metering off (this year's metered first, then next year's timed, on the same accounts), ${r.processesPerSize === 1 ? 'one process per size, so a single run (BENCH_ONLY=review runs three)' : `${r.processesPerSize} processes per size, so the median is of ${small.timedRuns}`} (samples and the metered runs' times in the JSON); GET /store polled every ${r.pollMs} ms once the Map has entered its last iteration. Stack start ${large.stackStartMs.map(fmtMs).join(', ')} and set-up (BatchWrite of ${fmtInt(large.seed.items)} items, ${large.seed.ms.map(fmtMs).join(', ')}) at ${large.accounts} are not counted. DynamoDB Local in memory.`,
  );
  console.log(
    `  Local dev sign-in (the local host's cookie lookup), left out above: ${fmtUnits(small.capacity.localDevSignIn.read)} and ${fmtUnits(large.capacity.localDevSignIn.read)} read units. Recorder matches the app's meter: ${r.sizes.every((s) => s.capacity.recorderMatchesMeter) ? 'yes' : 'NO'}. Units the same in every metered review of a size: ${r.processesPerSize === 1 ? 'one per size' : r.sizes.every((s) => s.capacity.stableAcrossProcesses) ? 'yes' : 'NO'}. Transitions and emails the same in every review of a size: ${r.sizes.every((s) => s.transitions.stableAcrossRuns && s.emailsStableAcrossRuns) ? 'yes' : 'NO'}. Completed: ${r.sizes.map((s) => JSON.stringify(s.progress)).join('; ')}.`,
  );

  const states = [...new Set(r.sizes.flatMap((s) => Object.keys(s.transitions.entries?.byState ?? {})))];
  printTable(
    'State transitions by state (states entered, as Standard Workflows bill them)',
    ['state', label(small), label(large)],
    [
      ...states.map((st) => [st, small.transitions.entries?.byState[st] ?? 0, large.transitions.entries?.byState[st] ?? 0]),
      ["total (the host's count)", small.transitions.total, large.transitions.total],
    ],
    [false, true, true],
  );

  const phaseRow = (phase: 'open' | 'platforms' | 'submit', covers: string) => {
    const [a, b] = [small.capacity[phase], large.capacity[phase]];
    return [
      phase,
      covers,
      fmtPer(a.read / small.accounts),
      fmtPer(b.read / large.accounts),
      fmtPer(a.write / small.accounts),
      fmtPer(b.write / large.accounts),
    ];
  };
  printTable(
    'Read and write units per account, by phase',
    ['phase', 'covers', `read/acct ${small.accounts}`, String(large.accounts), `write/acct ${small.accounts}`, String(large.accounts)],
    [
      phaseRow('open', 'POST /reviews → every page open and emailed, summaries, parked'),
      phaseRow('platforms', 'DTI keeps every platform (fixed: falls per account)'),
      phaseRow('submit', 'every director\'s "keep all" → ReportFinished → SUCCEEDED'),
    ],
    [false, false, true, true, true, true],
  );

  printCapacityByFunction(r.sizes);

  const TOP = 12;
  const callOf = (s: ReviewSize, k: string) => s.capacity.byCall.find((x) => `${x.phase}\u0000${x.fn}\u0000${x.op}` === k);
  const top = large.capacity.byCall
    .filter((c) => c.fn !== 'local dev sign-in')
    .sort((x, y) => y.read + y.write - (x.read + x.write))
    .slice(0, TOP);
  printTable(
    `The ${TOP} store calls costing the most at ${large.accounts} accounts, units per account at both sizes (index write units included in the writes)`,
    [
      'phase',
      'function',
      'store call',
      `calls ${small.accounts}`,
      String(large.accounts),
      'units/call',
      `read/acct ${small.accounts}`,
      String(large.accounts),
      `write/acct ${small.accounts}`,
      String(large.accounts),
    ],
    top.map((c) => {
      const a = callOf(small, `${c.phase}\u0000${c.fn}\u0000${c.op}`);
      return [
        c.phase,
        c.fn,
        c.op,
        a?.calls ?? 0,
        c.calls,
        fmtUnits(round((c.read + c.write) / c.calls, 2)),
        fmtPer((a?.read ?? 0) / small.accounts),
        fmtPer(c.read / large.accounts),
        fmtPer((a?.write ?? 0) / small.accounts),
        fmtPer(c.write / large.accounts),
      ];
    }),
    [false, false, false, true, true, true, true, true, true, true],
  );
  console.log('\n  Does it grow with departments (transitions, emails) and linearly with accounts (units)?');
  for (const line of r.notes) console.log(`  - ${line}`);
}
