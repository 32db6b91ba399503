import { vi } from 'vitest';

/** A JSON line the process printed: a Powertools log line, or an EMF record (`_aws`). */
export type PrintedRecord = Record<string, unknown>;

/**
 * What the process prints from now on, to stdout and stderr (Powertools Logger and Metrics write
 * there through their own Console, not the global console), kept instead of printed. Restore with
 * vi.restoreAllMocks().
 */
export function captureOutput() {
  const chunks: string[] = [];
  const keep = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  const text = () => chunks.join('');
  const records = (): PrintedRecord[] =>
    text()
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as PrintedRecord);
  return {
    /** Everything printed, as one string (to search for what must never be printed). */
    text,
    /** The EMF records printed, in order. */
    emf: () => records().filter((r) => '_aws' in r),
    /** The log lines printed, in order. */
    logs: () => records().filter((r) => !('_aws' in r)),
  };
}

/** The part of a Metrics instance the helper below reads (adapters/metrics.ts's `metrics`). */
interface MetricsBuffer {
  hasStoredMetrics(): boolean;
  serializeMetrics(): unknown;
  publishStoredMetrics(): unknown;
  clearMetrics(): void;
  clearDimensions(): void;
}

/**
 * What `run` emits, as one `{ workflow, <MetricName>: value }` per EMF record it makes: each flush
 * (a change of workflow) and what it leaves buffered, flushed here as the handler wrappers do at an
 * invocation's end. Read from the buffer, so it works with EMF printing off (the unit tests' setting).
 */
export async function metricsEmittedBy(metrics: MetricsBuffer, run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  metrics.clearMetrics();
  metrics.clearDimensions();
  const records: PrintedRecord[] = [];
  const publish = metrics.publishStoredMetrics.bind(metrics);
  const spy = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    if (metrics.hasStoredMetrics()) records.push(metrics.serializeMetrics() as PrintedRecord);
    return publish();
  });
  try {
    await run();
    metrics.publishStoredMetrics();
  } finally {
    spy.mockRestore();
  }
  return records.map(({ _aws, service, ...values }) => values);
}
