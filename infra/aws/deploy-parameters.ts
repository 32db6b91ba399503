import { CfnParameter, CfnRule, Fn } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The shape CloudFormation checks before it creates anything (its AllowedPattern is a Java regular expression). */
const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

/**
 * The two mailboxes a deployment cannot go without: DTI's (registry and failure notices, every
 * bounce) and the operators' (every alarm). Synthesis works with cdk.json's placeholders, so the
 * tests and `npx cdk synth` need no City settings; `cdk deploy` is refused by CloudFormation before
 * it changes anything when either is missing (an empty default fails the pattern) or is still the
 * `.example` placeholder the template was synthesized with (the rule), each with a message saying
 * what to pass: `-c dtiEmail=… -c alarmEmail=…` at synthesis, or `--parameters DtiEmail=…`.
 */
export class DeployParameters extends Construct {
  /** DTI's mailbox, as the functions' DTI_EMAIL. */
  readonly dtiEmail: string;
  /** The operators' mailbox, subscribed to the alarm topic. */
  readonly alarmEmail: string;

  constructor(scope: Construct, id: string, props: { dtiEmail?: string; alarmEmail?: string }) {
    super(scope, id);
    const dti = new CfnParameter(scope, 'DtiEmail', {
      type: 'String',
      default: props.dtiEmail ?? '',
      allowedPattern: EMAIL_PATTERN,
      constraintDescription: 'DtiEmail must be DTI\u2019s mailbox: deploy with -c dtiEmail=<address> or --parameters DtiEmail=<address>.',
      description: 'DTI\u2019s mailbox for registry and failure notices and bounced mail (context dtiEmail).',
    });
    const alarm = new CfnParameter(scope, 'AlarmEmail', {
      type: 'String',
      default: props.alarmEmail ?? '',
      allowedPattern: EMAIL_PATTERN,
      constraintDescription: 'AlarmEmail must be the operators\u2019 mailbox: deploy with -c alarmEmail=<address> or --parameters AlarmEmail=<address>.',
      description: 'The operators\u2019 mailbox, emailed every alarm (context alarmEmail).',
    });
    const placeholders = [props.dtiEmail, props.alarmEmail].filter((email): email is string => !!email?.toLowerCase().endsWith('.example'));
    if (placeholders.length) {
      new CfnRule(scope, 'MailboxesAreNotPlaceholders', {
        assertions: [
          {
            assert: Fn.conditionNot(Fn.conditionContains(placeholders, dti.valueAsString)),
            assertDescription: `DtiEmail is still the placeholder ${props.dtiEmail}: deploy with -c dtiEmail=<DTI mailbox> or --parameters DtiEmail=<address>.`,
          },
          {
            assert: Fn.conditionNot(Fn.conditionContains(placeholders, alarm.valueAsString)),
            assertDescription: 'AlarmEmail is still a placeholder: deploy with -c alarmEmail=<operators\u2019 mailbox> or --parameters AlarmEmail=<address>.',
          },
        ],
      });
    }
    this.dtiEmail = dti.valueAsString;
    this.alarmEmail = alarm.valueAsString;
  }
}
