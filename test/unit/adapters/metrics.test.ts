import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../output.ts';

type MetricsModule = typeof import('../../../functions/adapters/metrics.ts');
let metricsModule: MetricsModule;

beforeAll(async () => {
  // On, as in AWS (the unit tests' environment turns EMF off), through Powertools' own stdout.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  delete process.env.POWERTOOLS_DEV;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  metricsModule = await import('#adapters/metrics');
});

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  metricsModule.metrics.clearMetrics();
  metricsModule.metrics.clearDimensions();
  output = captureOutput();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('countMetric and secondsMetric', () => {
  it('prints one EMF record in the SocialMediaGovernance namespace with the service and the service + workflow dimension sets', () => {
    metricsModule.countMetric('MailUndeliverable', 'mail');
    metricsModule.metrics.publishStoredMetrics();

    expect(output.emf()).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'SocialMediaGovernance',
              Dimensions: [['service'], ['service', 'workflow']],
              Metrics: [{ Name: 'MailUndeliverable', Unit: 'Count' }],
            },
          ],
        },
        service: 'social-media-governance',
        workflow: 'mail',
        MailUndeliverable: 1,
      },
    ]);
  });

  it('records a time to decision in seconds, and two counts of one workflow as two values of one record', () => {
    metricsModule.secondsMetric('TimeToDecision', 'newAccountApproval', 5400);
    metricsModule.countMetric('ReminderSent', 'newAccountApproval');
    metricsModule.countMetric('ReminderSent', 'newAccountApproval');
    metricsModule.metrics.publishStoredMetrics();

    expect(output.emf()).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'SocialMediaGovernance',
              Dimensions: [['service'], ['service', 'workflow']],
              Metrics: [
                { Name: 'TimeToDecision', Unit: 'Seconds' },
                { Name: 'ReminderSent', Unit: 'Count' },
              ],
            },
          ],
        },
        service: 'social-media-governance',
        workflow: 'newAccountApproval',
        TimeToDecision: 5400,
        ReminderSent: [1, 1],
      },
    ]);
  });

  it('publishes what another workflow buffered before counting for a new one, so no value carries another workflow’s name', () => {
    metricsModule.countMetric('RequestSubmitted', 'exceptionApproval');
    metricsModule.countMetric('RequestSubmitted', 'websiteDisplayApproval', 2);
    metricsModule.metrics.publishStoredMetrics();

    const records = output.emf();
    expect(records).toHaveLength(2);
    expect(records.map(({ workflow, RequestSubmitted }) => ({ workflow, RequestSubmitted }))).toEqual([
      { workflow: 'exceptionApproval', RequestSubmitted: 1 },
      { workflow: 'websiteDisplayApproval', RequestSubmitted: 2 },
    ]);
    for (const record of records) {
      expect((record._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Dimensions).toEqual([
        ['service'],
        ['service', 'workflow'],
      ]);
    }
  });

  it('drops a value Powertools would refuse instead of throwing in the middle of a handler', () => {
    expect(() => metricsModule.secondsMetric('TimeToDecision', 'postRemovalApproval', Number.NaN)).not.toThrow();
    expect(metricsModule.metrics.hasStoredMetrics()).toBe(false);
  });

  it('prints nothing for an invocation that counted nothing', () => {
    metricsModule.metrics.publishStoredMetrics();
    expect(output.text()).toBe('');
  });
});

describe('secondsBetween', () => {
  it('gives the whole seconds from one instant to a later one', () => {
    expect(metricsModule.secondsBetween('2025-03-01T16:00:00.000Z', '2025-03-02T17:30:00.400Z')).toBe(91800);
  });

  it('gives 0 for an instant before the first (a skewed clock), and NaN for something that is no instant', () => {
    expect(metricsModule.secondsBetween('2025-03-01T16:00:05.000Z', '2025-03-01T16:00:00.000Z')).toBe(0);
    expect(metricsModule.secondsBetween('not a date', '2025-03-01T16:00:00.000Z')).toBeNaN();
  });
});
