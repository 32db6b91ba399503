/**
 * The City's operational metrics: what each function emits (adapters/metrics.ts, Powertools Metrics
 * in CloudWatch's embedded metric format) and what the dashboard and the business alarms read
 * (infra/aws/dashboard.ts, infra/aws/monitoring.ts). One list, so a renamed metric cannot leave a
 * widget or an alarm watching nothing.
 *
 * Every metric is emitted in the namespace below with two dimension sets: `service` alone (the
 * total, which the alarms watch) and `service` + `workflow` (the catalogue's state machine key, or
 * `directory` / `mail` / `credentials` for what belongs to none — `credentials`: a password change
 * an admin confirms on the account's credential page), which the dashboard breaks down. Each is
 * emitted where the code knows the event happened once (after the conditional write that records
 * it), so a retried invocation does not count it again.
 */
export const METRICS_NAMESPACE = 'SocialMediaGovernance';
export const METRICS_SERVICE = 'social-media-governance';

export const metricNames = {
  /** A request was submitted (its workflow started). Count. */
  requestSubmitted: 'RequestSubmitted',
  /** A request was decided (approved or rejected at its last step, or rejected at any). Count. */
  requestDecided: 'RequestDecided',
  /** An approver decided a step: seconds from the step's link to the decision. Seconds. */
  timeToDecision: 'TimeToDecision',
  /** A reminder went out (an approval, a task, a review page). Count. */
  reminderSent: 'ReminderSent',
  /** A step, a task or a page went to the next person (designee, Communications Director). Count. */
  escalated: 'Escalated',
  /** An approval, a task or a page reached its expiry undecided. Count. */
  expired: 'Expired',
  /** An offboarding started (an HR separation). Count. */
  offboardingStarted: 'OffboardingStarted',
  /** An offboarding finished (every task settled, the summary sent). Count. */
  offboardingFinished: 'OffboardingFinished',
  /** A shared password's change was confirmed. Count. */
  rotationConfirmed: 'RotationConfirmed',
  /** A rotation task expired unconfirmed: an account whose password a departed person still knows. Count. */
  rotationOverdue: 'RotationOverdue',
  /** An annual review page was submitted. Count. */
  reviewPageSubmitted: 'ReviewPageSubmitted',
  /** An annual review finished (its report sent). Count. */
  reviewFinished: 'ReviewFinished',
  /** An email bounced or drew a complaint (SES events). Count. */
  mailUndeliverable: 'MailUndeliverable',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];
