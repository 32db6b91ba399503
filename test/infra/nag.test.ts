import { App, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { nagFindings, stack, synthesizeGovernanceStack } from './governance-template.ts';

synthesizeGovernanceStack();

describe('cdk-nag', () => {
  it('AwsSolutions and Serverless report no unacknowledged findings', () => {
    const findings = [...nagFindings(new AwsSolutionsChecks(), stack), ...nagFindings(new ServerlessChecks(), stack)];
    expect(findings, `cdk-nag findings:\n${findings.join('\n')}`).toEqual([]);
  });

  it('every acknowledgement gives a specific reason', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>)),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(60);
    // Acknowledged at stack level would hide findings on resources added later.
    expect(stack.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
  });

  it('the packs do report a finding when one exists (the zero above is meaningful)', () => {
    const probe = new Stack(new App(), 'Probe');
    new Topic(probe, 'PlainTopic');
    expect(nagFindings(new AwsSolutionsChecks(), probe).some((f) => f.includes('AwsSolutions-SNS3'))).toBe(true);
  });
});
