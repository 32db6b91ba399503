import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DeployParameters } from '../../infra/aws/deploy-parameters.ts';
import { fnProps, functionEntries, type Json, logicalId, stack, synthesizeGovernanceStack, template } from './governance-template.ts';

// DTI's and the operators' mailboxes are deploy parameters: synthesis works with placeholders, and
// CloudFormation refuses a deploy whose mailbox is missing or still a placeholder, before it creates anything.
synthesizeGovernanceStack();

function parametersTemplate(props: { dtiEmail?: string; alarmEmail?: string }): Json {
  const scope = new Stack(new App(), 'Parameters');
  new DeployParameters(scope, 'Mailboxes', props);
  return Template.fromStack(scope).toJSON();
}

describe('deploy parameters: DtiEmail and AlarmEmail', () => {
  it('are String parameters with the context value as default, an email pattern and a message saying what to pass', () => {
    const parameters = template.toJSON().Parameters as Json;
    expect(parameters.DtiEmail).toEqual({
      Type: 'String',
      Default: 'dti-registry@cabq.gov',
      AllowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
      ConstraintDescription: 'DtiEmail must be DTI\u2019s mailbox: deploy with -c dtiEmail=<address> or --parameters DtiEmail=<address>.',
      Description: 'DTI\u2019s mailbox for registry and failure notices and bounced mail (context dtiEmail).',
    });
    expect(parameters.AlarmEmail).toMatchObject({ Type: 'String', AllowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
    expect(parameters.AlarmEmail.ConstraintDescription).toMatch(/-c alarmEmail=<address> or --parameters AlarmEmail=<address>/);
  });

  it('the pattern refuses an empty or partial mailbox, so a deploy without alarmEmail stops at the parameter', () => {
    const pattern = new RegExp(parametersTemplate({}).Parameters.AlarmEmail.AllowedPattern as string);
    expect(parametersTemplate({}).Parameters.AlarmEmail.Default).toBe('');
    for (const bad of ['', 'dti', 'dti@cabq', 'a b@cabq.gov']) expect(pattern.test(bad), bad).toBe(false);
    expect(pattern.test('dti-registry@cabq.gov')).toBe(true);
  });

  it('real mailboxes: no placeholder rule; every function reads DTI_EMAIL from the parameter, the alarm topic emails the other', () => {
    expect(template.toJSON().Rules?.MailboxesAreNotPlaceholders).toBeUndefined();
    for (const [key] of functionEntries) expect(fnProps(key).Environment.Variables.DTI_EMAIL, key).toEqual({ Ref: 'DtiEmail' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
      TopicArn: { Ref: logicalId(stack.monitoring.topic) },
    });
  });

  it('a template synthesized with cdk.json\u2019s .example placeholders carries a rule refusing to deploy them, naming what to pass', () => {
    const rules = parametersTemplate({ dtiEmail: 'dti-social-registry@cabq.example', alarmEmail: 'ops@cabq.example' }).Rules as Json;
    expect(rules.MailboxesAreNotPlaceholders.Assertions).toEqual([
      {
        Assert: { 'Fn::Not': [{ 'Fn::Contains': [['dti-social-registry@cabq.example', 'ops@cabq.example'], { Ref: 'DtiEmail' }] }] },
        AssertDescription:
          'DtiEmail is still the placeholder dti-social-registry@cabq.example: deploy with -c dtiEmail=<DTI mailbox> or --parameters DtiEmail=<address>.',
      },
      {
        Assert: { 'Fn::Not': [{ 'Fn::Contains': [['dti-social-registry@cabq.example', 'ops@cabq.example'], { Ref: 'AlarmEmail' }] }] },
        AssertDescription: 'AlarmEmail is still a placeholder: deploy with -c alarmEmail=<operators\u2019 mailbox> or --parameters AlarmEmail=<address>.',
      },
    ]);
  });
});
