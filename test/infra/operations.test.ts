import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { asArray, functionEntries, type Json, ofType, stack, synthesizeGovernanceStack } from './governance-template.ts';

// The operations nested stack: what each alarm watches and when it fires, and the dashboard's
// widgets, stated literally.
synthesizeGovernanceStack();

let nested: Json;
const alarms = () => Object.entries(nested.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
const alarm = (prefix: string) => {
  const found = alarms().filter(([id]) => id.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return (found[0] as [string, Json])[1].Properties as Json;
};
const expression = (a: Json) => asArray<Json>(a.Metrics).find((m) => m.Expression)?.Expression as string;
const labels = (a: Json) =>
  asArray<Json>(a.Metrics)
    .filter((m) => m.MetricStat)
    .map((m) => m.Label as string);

describe('operations: alarms that mean something, and a dashboard', () => {
  it('is one nested stack of the governance stack', () => {
    nested = Template.fromStack(stack.operations).toJSON();
    expect(ofType('AWS::CloudFormation::Stack')).toHaveLength(1);
  });

  it('has exactly these alarms, each notifying the alarm topic', () => {
    // API 1, throttles 5 and durations 5 (10 functions an alarm), table 1, SES 2, dead-letter ages 5, business 2.
    expect(alarms()).toHaveLength(21);
    for (const [id, a] of alarms()) {
      expect(a.Properties.AlarmActions, id).toHaveLength(1);
      // The parent's topic, passed in as a parameter of the nested stack.
      expect(JSON.stringify(a.Properties.AlarmActions[0]), id).toMatch(/MonitoringAlarmTopic/);
      expect(a.Properties.TreatMissingData, id).toBe('notBreaching');
    }
  });

  it('API: 5 % or more of the requests in 5 minutes answered 5xx', () => {
    const a = alarm('ApiServerErrorRateAlarm');
    expect(expression(a)).toBe('IF(FILL(requests, 0) > 0, 100 * FILL(errors, 0) / requests, 0)');
    expect(a.Threshold).toBe(5);
    expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    const metrics = asArray<Json>(a.Metrics)
      .filter((m) => m.MetricStat)
      .map((m) => `${m.Id} ${m.MetricStat.Metric.Namespace} ${m.MetricStat.Metric.MetricName} ${m.MetricStat.Stat}`);
    expect(metrics.sort()).toEqual(['errors AWS/ApiGateway 5xx Sum', 'requests AWS/ApiGateway Count Sum']);
  });

  it('functions: every catalogue function in one throttles alarm and one duration alarm, the duration as a share of its own timeout', () => {
    const throttled = alarms().filter(([id]) => /ThrottlesAlarm/.test(id) && !id.startsWith('Table'));
    const timed = alarms().filter(([id]) => /DurationAlarm/.test(id));
    expect(throttled).toHaveLength(5);
    expect(timed).toHaveLength(5);
    const all = functionEntries.map(([key]) => key).sort();
    expect(throttled.flatMap(([, a]) => labels(a.Properties)).sort()).toEqual(all);
    expect(timed.flatMap(([, a]) => labels(a.Properties)).sort()).toEqual(all);
    for (const [, a] of throttled) expect(a.Properties.Threshold).toBe(1);
    for (const [, a] of timed) expect(a.Properties.Threshold).toBe(80);
    // reportOffboarding has 30 s, showRequest the default 10 s: each divided by its own.
    const of = (key: string) => {
      const [, a] = timed.find(([, x]) => labels(x.Properties).includes(key)) as [string, Json];
      const id = asArray<Json>(a.Properties.Metrics).find((m) => m.Label === key)?.Id as string;
      return new RegExp(`100 \\* FILL\\(${id}, 0\\) / (\\d+)`).exec(expression(a.Properties))?.[1];
    };
    expect(of('reportOffboarding')).toBe('30000');
    expect(of('showRequest')).toBe('10000');
  });

  it('DynamoDB: any throttled read or write of the table', () => {
    const a = alarm('TableThrottlesAlarm');
    expect(expression(a)).toBe('FILL(reads, 0) + FILL(writes, 0)');
    expect(
      asArray<Json>(a.Metrics)
        .filter((m) => m.MetricStat)
        .map((m) => m.MetricStat.Metric.MetricName)
        .sort(),
    ).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
  });

  it('SES: the account bounce rate at 5 %, the complaint rate at 0.1 %, over an hour', () => {
    expect(alarm('MailBounceRateAlarm')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.05, Period: 3600 });
    expect(alarm('MailComplaintRateAlarm')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate', Threshold: 0.001, Period: 3600 });
  });

  it('dead-letter queues: a message 10 days old (of 14) in any of them', () => {
    const ages = alarms()
      .filter(([, a]) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage')
      .map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ''), a.Properties.Threshold]);
    expect(ages.sort()).toEqual([
      ['HrEventsReceiveHrEventDeadLetterAgeAlarm', 864000],
      ['MailEventsDeadLetterAgeAlarm', 864000],
      ['SchedulesAnnualReviewDeadLetterAgeAlarm', 864000],
      ['SchedulesAnnualReviewFailedRunAgeAlarm', 864000],
      ['SchedulesReconcileStartsDeadLetterAgeAlarm', 864000],
    ]);
  });

  it('business: a lapse undecided and a rotation overdue, from the functions’ own metrics', () => {
    for (const [id, metricName] of [
      ['LapsedUndecidedAlarm', 'Expired'],
      ['RotationOverdueAlarm', 'RotationOverdue'],
    ] as const) {
      expect(alarm(id)).toMatchObject({
        Namespace: 'SocialMediaGovernance',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'social-media-governance' }],
        Statistic: 'Sum',
        Threshold: 1,
      });
    }
  });

  it('every alarm names its runbook entry', () => {
    for (const [id, a] of alarms()) expect(a.Properties.AlarmDescription, id).toMatch(/README runbook "[A-Za-z]+"/);
  });

  it('the dashboard: workflows, approvals, mail, API and functions', () => {
    const dashboards = Object.values(nested.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = (dashboards[0] as Json).Properties.DashboardBody['Fn::Join'][1]
      .map((part: unknown) => (typeof part === 'string' ? part : '"<token>"'))
      .join('');
    const titles = [...body.matchAll(/"title":"([^"]+)"/g)].map((m) => m[1]);
    expect(titles).toEqual([
      'Workflows started',
      'Workflows succeeded',
      'Workflows failed, timed out or aborted',
      'Requests submitted and decided, by workflow',
      'Approvals: time to decision (seconds, p50 and p90)',
      'Follow-up: reminders, escalations, lapsed',
      'Offboarding and rotations',
      'Mail: sent and undeliverable',
      'API: requests, 4xx, 5xx',
      'Functions: errors and throttles',
      'Functions: longest run (ms)',
      'Annual review',
    ]);
    expect(body).toContain("SEARCH('{SocialMediaGovernance,service,workflow} MetricName=\\\"RequestSubmitted\\\"', 'Sum', 300)");
    expect(body).toContain('"AWS/States","ExecutionsStarted"');
    expect(body).toContain('"AWS/SES","Bounce"');
  });
});
