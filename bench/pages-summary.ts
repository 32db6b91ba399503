import { runBenchChild } from './child.ts';
import type { PagesResults } from './pages.ts';
import { median, percentile, round } from './stats.ts';

/*
 * The parent's half of benchmark E: bench/pages.ts measures in a process of its own (see its
 * header); this runs it and sums up per page and size, latency and read units, and how the units grow.
 */

/** Runs this file in a process of its own (see the header) and sums up: per page and size, latency and read units, and how the units grow. */
export async function benchPages(repoRoot: string, env: NodeJS.ProcessEnv) {
  const raw = await runBenchChild<PagesResults>(repoRoot, env, 'pages.ts');
  const sizes = raw.sizes.map((s) => ({
    ...s,
    pages: s.pages.map(({ ms, readUnits, warmupReadUnits, signInReadUnits, ...p }) => {
      const distinct = [...new Set(readUnits)].sort((a, b) => a - b);
      return {
        ...p,
        ms: ms.length
          ? {
              median: round(median(ms), 1),
              p90: round(percentile(ms, 90), 1),
              min: round(Math.min(...ms), 1),
              max: round(Math.max(...ms), 1),
              samples: ms.map((x) => round(x, 1)),
            }
          : undefined,
        readUnits: {
          perRequest: distinct.length === 1 ? distinct[0] : round(median(readUnits), 2),
          sameEveryRequest: distinct.length === 1,
          distinct,
          warmup: warmupReadUnits,
          localDevSignIn: [...new Set(signInReadUnits)],
        },
      };
    }),
  }));
  const [small, large] = sizes as [(typeof sizes)[number], (typeof sizes)[number]];
  const growth = small.pages.map((p) => {
    const q = large.pages.find((x) => x.key === p.key);
    const [u1, u2] = [p.readUnits.perRequest, q?.readUnits.perRequest];
    return {
      key: p.key,
      label: p.label,
      [`readUnitsAt${small.accounts}`]: u1,
      [`readUnitsAt${large.accounts}`]: u2,
      rows: [p.shown?.rows, q?.shown?.rows],
      verdict:
        u1 === undefined || u2 === undefined
          ? 'not measured'
          : u2 === u1
            ? 'the same'
            : p.shown?.rows !== q?.shown?.rows
              ? `with the rows (${p.shown?.rows} → ${q?.shown?.rows}), at most a page`
              : `grows (×${round(u2 / (u1 || 1), 2)})`,
    };
  });
  return { ...raw, sizes, growth };
}

export type PagesSummary = Awaited<ReturnType<typeof benchPages>>;
