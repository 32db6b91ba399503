/** How the report prints: aligned plain-text tables and number formats. */

export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtKb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
export const fmtUnits = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
export const fmtMs = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
/** A figure of the offboarding table: integers grouped, others to 2–3 significant places. */
export const fmtFig = (n: number | undefined) =>
  n === undefined ? 'n/a' : Number.isInteger(n) ? fmtInt(n) : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
export const fmtPer = (n: number) => (n === 0 ? '0' : n.toFixed(n >= 10 ? 1 : 2));

export function printTable(title: string, headers: string[], rows: (string | number)[][], rightAlign: boolean[] = []) {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (rightAlign[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
  console.log(`\n${title}`);
  console.log(`  ${line(headers)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells) console.log(`  ${line(r)}`);
}
