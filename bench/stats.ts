/** The few statistics the benchmark reports: medians, nearest-rank percentiles, and rounding for the tables and the JSON. */

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export function median(xs: number[]): number {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const s = sorted(xs);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Median, min and max of some timings, rounded, with the samples. */
export function spread(xs: number[], digits = 1) {
  return {
    median: round(median(xs), digits),
    min: round(Math.min(...xs), digits),
    max: round(Math.max(...xs), digits),
    samples: xs.map((x) => round(x, digits)),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
