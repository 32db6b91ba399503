import type { WorkflowRun } from './workflows.ts';

/** Section G: one row per approval workflow, the new account first, the floor beside. */
export function reportWorkflows({ runs, notes }: { runs: WorkflowRun[]; notes: string[] }) {
  const rows = runs.map((r) => [
    r.label + (r.input ? `, ${r.input}` : ''),
    String(r.steps),
    String(r.transitions),
    r.transitionsPerStep.toFixed(1),
    r.readUnits.toFixed(1),
    r.writeUnits.toFixed(1),
    r.writeUnitsPerStep.toFixed(1),
    String(r.emails),
  ]);
  const head = ['Workflow (state machine of its own)', 'steps', 'transitions', '/step', 'RCU', 'WCU', 'WCU/step', 'emails'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`;
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log('  Floor per step (issue): about 4 transitions and 3 write units.');
  for (const n of notes) console.log(`  ${n}`);
}
