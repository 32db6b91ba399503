import { Duration, NestedStack, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName, metricNames } from '../../functions/core/metrics.ts';
import { deadLetterQueuesOf, errorAlarmGroups, type WatchedFunction } from './monitoring.ts';

/** A watched function and its timeout (the duration alarm's 100 %). */
export interface TimedFunction extends WatchedFunction {
  timeoutSeconds: number;
}

export interface OperationsProps {
  alarmAction: IAlarmAction;
  functions: readonly TimedFunction[];
  stateMachines: Record<string, IStateMachine>;
  api: IHttpApi;
  table: ITableV2;
}

/**
 * The thresholds, stated once: the alarms use them and the README's runbook names them.
 * SES reviews an account at a 5 % bounce rate and may pause its sending at 10 %; at a 0.1 %
 * complaint rate it reviews, at 0.5 % it may pause (SES Developer Guide, "Reputation metrics").
 */
export const THRESHOLDS = {
  apiServerErrorPercent: 5,
  durationPercentOfTimeout: 80,
  sesBounceRate: 0.05,
  sesComplaintRate: 0.001,
  /** The dead-letter queues keep a message 14 days: warn with 4 left to act. */
  deadLetterAgeSeconds: 10 * 86_400,
} as const;

const period = Duration.minutes(5);
const sum = (ids: string[]) => ids.map((id) => `FILL(${id}, 0)`).join(' + ');

/**
 * What an on-call engineer watches beyond the per-workflow and per-queue alarms (monitoring.ts):
 * API 5xx rate, Lambda throttles and durations near their timeouts, DynamoDB throttles, SES
 * reputation, the age of what waits in a dead-letter queue, and the business alarms (an approval,
 * task or page that lapsed undecided; a rotation overdue), with a dashboard of the workflows,
 * approvals, mail, API and functions. A nested stack, because each alarm is a resource and the
 * governance stack is near CloudFormation's 500; the alarms notify the same topic.
 */
export class Operations extends NestedStack {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id, { description: 'Social media governance: operational alarms and dashboard' });
    const parent = Stack.of(scope);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string, evaluationPeriods = 1) => {
      const made = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      made.addAlarmAction(props.alarmAction);
      return made;
    };

    // API: the share of requests answered 5xx (an error a person saw), over 5 minutes.
    const requests = props.api.metricCount({ period, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period, statistic: 'Sum' });
    alarm(
      'ApiServerErrorRateAlarm',
      new MathExpression({
        expression: 'IF(FILL(requests, 0) > 0, 100 * FILL(errors, 0) / requests, 0)',
        usingMetrics: { requests, errors: serverErrors },
        period,
        label: 'API 5xx, % of requests',
      }),
      THRESHOLDS.apiServerErrorPercent,
      `At least ${THRESHOLDS.apiServerErrorPercent} % of the HTTP API's requests in 5 minutes were answered 5xx: people saw an error page. See the README runbook "ApiServerErrorRate".`,
    );

    // Functions: throttles and durations near the timeout, grouped like the error alarms (10 metrics an alarm).
    for (const group of errorAlarmGroups(props.functions)) {
      const members = group.functions as TimedFunction[];
      const throttles = Object.fromEntries(members.map((f, i) => [`t${i + 1}`, f.function.metricThrottles({ period, statistic: 'Sum', label: f.key })]));
      const keys = members.map((f) => f.key).join(', ');
      alarm(
        group.id.replace(/ErrorsAlarm\d*$/, (m) => m.replace('Errors', 'Throttles')),
        new MathExpression({ expression: sum(Object.keys(throttles)), usingMetrics: throttles, period, label: `Throttles of ${keys}` }),
        1,
        `Lambda throttled one of ${keys}: the account's or the function's concurrency was exhausted. See the README runbook "Throttles".`,
      );
      const durations = Object.fromEntries(members.map((f, i) => [`d${i + 1}`, f.function.metricDuration({ period, statistic: 'Maximum', label: f.key })]));
      alarm(
        group.id.replace(/ErrorsAlarm\d*$/, (m) => m.replace('Errors', 'Duration')),
        new MathExpression({
          // Each function's longest run as a percentage of its own timeout; the alarm is the worst.
          expression: `MAX([${members.map((f, i) => `100 * FILL(d${i + 1}, 0) / ${f.timeoutSeconds * 1000}`).join(', ')}])`,
          usingMetrics: durations,
          period,
          label: `Longest run, % of its timeout: ${keys}`,
        }),
        THRESHOLDS.durationPercentOfTimeout,
        `A run of one of ${keys} took at least ${THRESHOLDS.durationPercentOfTimeout} % of its timeout: it is close to being cut off. See the README runbook "Duration".`,
      );
    }

    // DynamoDB: any throttled read or write (on-demand tables throttle past their previous peak doubled).
    const tableMetric = (metricName: string) =>
      new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: props.table.tableName }, period, statistic: 'Sum' });
    alarm(
      'TableThrottlesAlarm',
      new MathExpression({
        expression: 'FILL(reads, 0) + FILL(writes, 0)',
        usingMetrics: { reads: tableMetric('ReadThrottleEvents'), writes: tableMetric('WriteThrottleEvents') },
        period,
        label: 'Governance table throttled reads and writes',
      }),
      1,
      'DynamoDB throttled reads or writes of the governance table. See the README runbook "TableThrottles".',
    );

    // SES: the account's reputation (what SES pauses sending on), checked over an hour.
    const reputation = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    alarm(
      'MailBounceRateAlarm',
      reputation('Reputation.BounceRate'),
      THRESHOLDS.sesBounceRate,
      `The SES account's bounce rate reached ${THRESHOLDS.sesBounceRate * 100} % (SES reviews the account there and may pause sending at 10 %). See the README runbook "MailBounceRate".`,
    );
    alarm(
      'MailComplaintRateAlarm',
      reputation('Reputation.ComplaintRate'),
      THRESHOLDS.sesComplaintRate,
      `The SES account's complaint rate reached ${THRESHOLDS.sesComplaintRate * 100} % (SES reviews the account there and may pause sending at 0.5 %). See the README runbook "MailComplaintRate".`,
    );

    // Dead-letter queues: a message that has waited 10 of its 14 days is about to be lost.
    for (const { id: queueId, queue } of deadLetterQueuesOf(parent)) {
      alarm(
        queueId.replace(/Alarm$/, 'AgeAlarm'),
        queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
        THRESHOLDS.deadLetterAgeSeconds,
        `A message has waited 10 days in a dead-letter queue (${queueId.replace(/Alarm$/, '')}); SQS deletes it at 14. See the README runbook "DeadLetterAge".`,
      );
    }

    // Business: emitted by the functions (functions/core/metrics.ts), the service-wide total.
    const business = (name: MetricName, statistic = 'Sum') =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: METRICS_SERVICE }, period, statistic });
    alarm(
      'LapsedUndecidedAlarm',
      business(metricNames.expired),
      1,
      'An approval, an offboarding task or a review page reached its expiry with nobody deciding: its request or task lapsed. See the README runbook "LapsedUndecided".',
    );
    alarm(
      'RotationOverdueAlarm',
      business(metricNames.rotationOverdue),
      1,
      'A shared password a departed person knew was not confirmed changed by its deadline (C, O.b). See the README runbook "RotationOverdue".',
    );

    this.dashboard = this.buildDashboard(props, business, requests, serverErrors);
  }

  private buildDashboard(
    props: OperationsProps,
    business: (name: MetricName, statistic?: string) => Metric,
    requests: IMetric,
    serverErrors: IMetric,
  ): Dashboard {
    const parent = Stack.of(this.node.scope as Construct);
    const machines = Object.entries(props.stateMachines);
    const perMachine = (what: (m: IStateMachine) => IMetric) => machines.map(([, m]) => what(m));
    const byWorkflow = (name: MetricName, statistic = 'Sum') =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},service,workflow} MetricName="${name}"', '${statistic}', 300)`,
        period,
        label: name,
      });
    const lambdaSearch = (metricName: string, statistic: string) =>
      new MathExpression({
        // Every function of this stack: their names start with the stack's name.
        expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="${metricName}" FunctionName="${parent.stackName}-"', '${statistic}', 300)`,
        period,
        label: metricName,
      });
    const widget = (title: string, left: IMetric[], right?: IMetric[]) => new GraphWidget({ title, left, right, width: 12, height: 6 });
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Social media governance\nWorkflows, approvals, mail, API and functions. Each alarm\u2019s meaning and what to do: the README\u2019s **Runbook**.',
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      widget(
        'Workflows started',
        perMachine((m) => m.metricStarted({ period, statistic: 'Sum' })),
      ),
      widget(
        'Workflows succeeded',
        perMachine((m) => m.metricSucceeded({ period, statistic: 'Sum' })),
      ),
    );
    dashboard.addWidgets(
      widget('Workflows failed, timed out or aborted', [
        ...perMachine((m) => m.metricFailed({ period, statistic: 'Sum' })),
        ...perMachine((m) => m.metricTimedOut({ period, statistic: 'Sum' })),
        ...perMachine((m) => m.metricAborted({ period, statistic: 'Sum' })),
      ]),
      widget('Requests submitted and decided, by workflow', [byWorkflow(metricNames.requestSubmitted), byWorkflow(metricNames.requestDecided)]),
    );
    dashboard.addWidgets(
      widget('Approvals: time to decision (seconds, p50 and p90)', [business(metricNames.timeToDecision, 'p50'), business(metricNames.timeToDecision, 'p90')]),
      widget('Follow-up: reminders, escalations, lapsed', [business(metricNames.reminderSent), business(metricNames.escalated), business(metricNames.expired)]),
    );
    dashboard.addWidgets(
      widget('Offboarding and rotations', [
        business(metricNames.offboardingStarted),
        business(metricNames.offboardingFinished),
        business(metricNames.rotationConfirmed),
        business(metricNames.rotationOverdue),
      ]),
      widget('Mail: sent and undeliverable', [
        new Metric({ namespace: 'AWS/SES', metricName: 'Send', period, statistic: 'Sum' }),
        new Metric({ namespace: 'AWS/SES', metricName: 'Bounce', period, statistic: 'Sum' }),
        business(metricNames.mailUndeliverable),
      ]),
    );
    dashboard.addWidgets(
      widget(
        'API: requests, 4xx, 5xx',
        [requests, props.api.metricClientError({ period, statistic: 'Sum' }), serverErrors],
        [props.api.metricLatency({ period, statistic: 'p90' })],
      ),
      widget('Functions: errors and throttles', [lambdaSearch('Errors', 'Sum'), lambdaSearch('Throttles', 'Sum')]),
    );
    dashboard.addWidgets(
      widget('Functions: longest run (ms)', [lambdaSearch('Duration', 'Maximum')]),
      widget('Annual review', [business(metricNames.reviewPageSubmitted), business(metricNames.reviewFinished)]),
    );
    return dashboard;
  }
}
