import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { StateMachineKey } from '#catalogue-types';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '#core/metrics';
import { logger } from '#adapters/logger';

/**
 * What a metric's `workflow` dimension names: the catalogue's state machine the event belongs to,
 * or, for what belongs to none, `directory`, `mail` (SES's bounces and complaints) or
 * `credentials` (a password change an admin confirms on the account's credential page).
 */
export type MetricWorkflow = StateMachineKey | 'directory' | 'mail' | 'credentials';

const emptyBufferWarning = 'No application metrics to publish';

/**
 * Powertools' own messages about metrics, as our log lines. Its warning that an invocation had no
 * metric to publish would be every invocation's but a few (most emit none): that one is debug.
 */
const powertoolsMessages = {
  debug: (...content: unknown[]) => logger.debug(content.map(String).join(' ')),
  info: (...content: unknown[]) => logger.info(content.map(String).join(' ')),
  warn: (...content: unknown[]) => {
    const message = content.map(String).join(' ');
    if (message.startsWith(emptyBufferWarning)) logger.debug(message);
    else logger.warn(message);
  },
  error: (...content: unknown[]) => logger.error(content.map(String).join(' ')),
};

/**
 * The one Metrics instance (CloudWatch embedded metric format on stdout). Its buffer is flushed at
 * the end of every invocation by the handler wrappers' `logMetrics` middleware (adapters/handler.ts).
 * `POWERTOOLS_METRICS_DISABLED=true` (the local host's default, and the unit tests') keeps it quiet.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger: powertoolsMessages });

/** The workflow the buffered metrics are dimensioned by; meaningful only while the buffer holds any. */
let bufferedWorkflow: MetricWorkflow | undefined;

/**
 * Buffers one value with the contract's two dimension sets (core/metrics.ts): `service` alone and
 * `service` + `workflow`. Powertools' dimension sets belong to the whole buffer, not to a metric, so
 * a metric of another workflow than the buffered ones publishes those first: one EMF record per
 * workflow, never a value counted under another workflow's name.
 */
function add(name: MetricName, unit: (typeof MetricUnit)['Count' | 'Seconds'], workflow: MetricWorkflow, value: number): void {
  // A value Powertools refuses would throw in the middle of a handler's work: drop it, say so.
  if (!Number.isFinite(value) || value < 0) {
    logger.warn('metric value dropped', { metric: name, workflow, value: String(value) });
    return;
  }
  if (metrics.hasStoredMetrics() && bufferedWorkflow !== workflow) metrics.publishStoredMetrics();
  if (!metrics.hasStoredMetrics()) {
    // addDimensions adds an independent dimension set (with the default `service`): an empty one
    // publishes `["service"]`, the total the alarms watch; the second `["service","workflow"]`.
    metrics.addDimensions({});
    metrics.addDimensions({ workflow });
    bufferedWorkflow = workflow;
  }
  metrics.addMetric(name, unit, value);
}

/** Counts `value` (one event by default) of `name` for `workflow`. */
export function countMetric(name: MetricName, workflow: MetricWorkflow, value = 1): void {
  add(name, MetricUnit.Count, workflow, value);
}

/** Records a duration in seconds (e.g. the time an approver took to decide). */
export function secondsMetric(name: MetricName, workflow: MetricWorkflow, seconds: number): void {
  add(name, MetricUnit.Seconds, workflow, seconds);
}

/** Whole seconds from one ISO instant to another (a negative span, from a skewed clock, counts as 0). */
export function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}
