import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GovernanceStack, governanceStackFromContext } from '../../infra/aws/governance-stack.ts';
import { asArray, cdkJson, type Json, type Statement, settings } from './governance-template.ts';

/*
 * The user pool's own emails (an administrator's invitation with its temporary password, the codes
 * of a password reset or an email change): through SES from the City's address once the identity is
 * verified (context mailIdentityVerified), Cognito's own (50 a day) before. Cognito refuses a pool
 * whose SES identity is unverified, and a new deployment creates the identity before its DKIM
 * records can be published, so the first deployment cannot send through SES. Each stack here is
 * built from its own context.
 */

const noBundling = { 'aws:cdk:bundling-stacks': [] };

interface Built {
  stack: GovernanceStack;
  resources: Record<string, Json>;
  outputs: Record<string, Json>;
}

function build(extra: Record<string, unknown>): Built {
  const stack = governanceStackFromContext(new App({ context: { ...cdkJson.context, ...settings, ...noBundling, ...extra } }));
  const template = Template.fromStack(stack).toJSON();
  return { stack, resources: template.Resources as Record<string, Json>, outputs: (template.Outputs ?? {}) as Record<string, Json> };
}

const ofType = (built: Built, type: string) => Object.entries(built.resources).filter(([, r]) => r.Type === type);
const pool = (built: Built) => built.resources.SignInUserPoolA2C003D1 as Json;
/** The SES identity ARN Cognito sends from: the domain's, in the stack's region and account. */
const identityArn = { 'Fn::Join': ['', ['arn:aws:ses:us-west-2:', { Ref: 'AWS::AccountId' }, ':identity/cabq.gov']] };
const sendStatements = (built: Built) =>
  ofType(built, 'AWS::IAM::Policy')
    .flatMap(([, p]) => asArray<Statement>(p.Properties.PolicyDocument.Statement))
    .filter((s) => asArray(s.Action).includes('ses:SendEmail'));

let first: Built;
let verified: Built;
let existing: Built;

beforeAll(() => {
  first = build({});
  verified = build({ mailIdentityVerified: 'true' });
  existing = build({ existingMailIdentity: 'true', mailIdentityVerified: true });
}, 180_000);

describe('the user pool\u2019s emails', () => {
  it('once the identity is verified: through SES (DEVELOPER) from the City\u2019s address, the identity\u2019s ARN and the workflows\u2019 configuration set', () => {
    expect(pool(verified).Properties.EmailConfiguration).toEqual({
      EmailSendingAccount: 'DEVELOPER',
      From: 'City of Albuquerque Social Media Governance <social-media-governance@cabq.gov>',
      SourceArn: identityArn,
      ConfigurationSet: { Ref: 'MailConfigurationSet2AA84368' },
    });
    expect(verified.resources.MailConfigurationSet2AA84368?.Type).toBe('AWS::SES::ConfigurationSet');
  });

  it('names the identity it sends from, which CloudFormation creates first', () => {
    expect(verified.resources.MailIdentity4EC7C521?.Properties.EmailIdentity).toBe('cabq.gov');
    expect(asArray(pool(verified).DependsOn)).toContain('MailIdentity4EC7C521');
    // The workflows send from the same identity (its Ref is its name, the domain).
    const created = { 'Fn::Join': ['', ['arn:aws:ses:us-west-2:', { Ref: 'AWS::AccountId' }, ':identity/', { Ref: 'MailIdentity4EC7C521' }]] };
    for (const s of sendStatements(verified)) expect(asArray(s.Resource)).toContainEqual(created);
  });

  it('on a first deployment (identity not yet verified): Cognito\u2019s own email, and cdk synth says what to set', () => {
    expect(pool(first).Properties.EmailConfiguration).toBeUndefined();
    expect(asArray(pool(first).DependsOn)).not.toContain('MailIdentity4EC7C521');
    Annotations.fromStack(first.stack).hasWarning('/SocialMediaGovernance/SignIn', Match.stringLikeRegexp('-c mailIdentityVerified=true'));
    Annotations.fromStack(verified.stack).hasNoWarning('/SocialMediaGovernance/SignIn', Match.anyValue());
  });

  it('with existingMailIdentity: uses the identity already in SES, creates none and outputs no DKIM records, and sends from it', () => {
    expect(ofType(existing, 'AWS::SES::EmailIdentity')).toEqual([]);
    expect(Object.keys(existing.outputs).filter((name) => name.startsWith('DkimRecord'))).toEqual([]);
    expect(Object.keys(first.outputs).filter((name) => name.startsWith('DkimRecord'))).toEqual(['DkimRecord1', 'DkimRecord2', 'DkimRecord3']);
    expect(pool(existing).Properties.EmailConfiguration).toEqual(pool(verified).Properties.EmailConfiguration);
    const statements = sendStatements(existing);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(asArray(s.Resource)).toContainEqual(identityArn);
      expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'social-media-governance@cabq.gov' } });
    }
  });

  it('needs no SES sending authorization policy: Cognito sends with its service-linked role under DEVELOPER', () => {
    // A custom resource calling PutEmailIdentityPolicy would be the only way to write one.
    for (const built of [verified, existing]) {
      expect(JSON.stringify(built.resources)).not.toContain('PutEmailIdentityPolicy');
      expect(JSON.stringify(built.resources)).not.toContain('email.cognito-idp.amazonaws.com');
    }
  });
});
