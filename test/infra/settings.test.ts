import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { governanceStackFromContext, settingsFromContext } from '../../infra/aws/governance-stack.ts';
import { cdkJson, functionEntries, type Json, settings } from './governance-template.ts';

// Each test builds stacks of its own from other context; none needs the shared one.

describe('settings from context', () => {
  // No bundling here: these stacks are never deployed, only their settings matter.
  const noBundling = { 'aws:cdk:bundling-stacks': [] };
  const build = (extra: Record<string, unknown>) =>
    governanceStackFromContext(new App({ context: { ...cdkJson.context, ...settings, ...noBundling, ...extra } }));

  it('a publicBaseUrl context becomes every function\u2019s PUBLIC_BASE_URL', () => {
    const other = build({ publicBaseUrl: 'https://social.cabq.gov/' });
    const otherResources = Template.fromStack(other).toJSON().Resources as Record<string, Json>;
    for (const [key] of functionEntries) {
      const id = other.resolve((other.functions[key].node.defaultChild as CfnElement).logicalId) as string;
      expect(otherResources[id]?.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://social.cabq.gov');
    }
  });

  it('registers <publicBaseUrl>/auth/callback on the client when a publicBaseUrl is set', () => {
    const other = build({ publicBaseUrl: 'https://social.cabq.gov/' });
    const [[, client]] = Object.entries(Template.fromStack(other).toJSON().Resources as Record<string, Json>).filter(
      ([, r]) => r.Type === 'AWS::Cognito::UserPoolClient',
    ) as [[string, Json]];
    expect(client.Properties.CallbackURLs).toEqual(['https://social.cabq.gov/auth/callback']);
    expect(client.Properties.LogoutURLs).toEqual(['https://social.cabq.gov/auth/signed-out']);
  });

  it('derives the sign-in domain prefix from the stack name, lowercase, when authDomainPrefix is not set', () => {
    const other = build({ authDomainPrefix: '', stackName: 'CabqSocial-Media' });
    Template.fromStack(other).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'cabqsocial-media' });
    expect(() => build({ authDomainPrefix: 'cabq-cognito' })).toThrow(/must not contain aws, amazon or cognito/);
    expect(() => build({ authDomainPrefix: '', stackName: 'CabqAwsSocial' })).toThrow(/set -c authDomainPrefix/);
  });

  it('takes the HR bus, the HR event source and the vault prefix from context, everywhere they are used', () => {
    const other = build({ hrBusName: 'cabq-hr-test', hrEventSource: 'cabq.hr.test', vaultSecretPrefix: 'test/social-media/' });
    const otherTemplate = Template.fromStack(other);
    const otherResources = otherTemplate.toJSON().Resources as Record<string, Json>;
    otherTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'cabq-hr-test' });
    for (const [, rule] of Object.entries(otherResources).filter(([, r]) => r.Type === 'AWS::Events::Rule')) {
      expect(rule.Properties.EventPattern.source).toEqual(['cabq.hr.test']);
    }
    otherTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test/social-media-credentials' });
    for (const [key, spec] of functionEntries) {
      const id = other.resolve((other.functions[key].node.defaultChild as CfnElement).logicalId) as string;
      const env = otherResources[id]?.Properties.Environment.Variables as Json;
      if (spec.hrEvents?.length) expect(env.HR_EVENT_SOURCE).toBe('cabq.hr.test');
      if (spec.access.vault?.length) expect(env.VAULT_SECRET_PREFIX).toBe('test/social-media/');
    }
    expect(JSON.stringify(otherResources)).toContain(':secret:test/social-media/*');
    expect(JSON.stringify(otherResources)).not.toContain(':secret:social-media/*');
  });

  it('takes the records retention and the vault lock grace period from context (as -c passes them, strings)', () => {
    const other = build({ recordsRetentionDays: '2555', recordsVaultLockGraceDays: '3' });
    const otherResources = Object.values(Template.fromStack(other).toJSON().Resources as Record<string, Json>);
    const vault = otherResources.find((r) => r.Type === 'AWS::Backup::BackupVault') as Json;
    expect(vault.Properties.LockConfiguration).toEqual({ MinRetentionDays: 2555, ChangeableForDays: 3 });
    const plan = otherResources.find((r) => r.Type === 'AWS::Backup::BackupPlan') as Json;
    expect(plan.Properties.BackupPlan.BackupPlanRule[0].Lifecycle).toEqual({ DeleteAfterDays: 2555 });
  });

  it('rejects a retention outside 1-36500 whole days and a lock grace period under AWS Backup\u2019s 3 days', () => {
    for (const bad of ['0', '36501', '10.5', 'ten', -1]) expect(() => build({ recordsRetentionDays: bad })).toThrow(/recordsRetentionDays/);
    for (const bad of ['2', '0', 'a week']) expect(() => build({ recordsVaultLockGraceDays: bad })).toThrow(/recordsVaultLockGraceDays/);
  });

  it('rejects a vault prefix with a wildcard, an "aws." HR source and the default bus', () => {
    expect(() => build({ vaultSecretPrefix: 'social-*' })).toThrow(/vaultSecretPrefix/);
    expect(() => build({ hrEventSource: 'aws.hr' })).toThrow(/hrEventSource/);
    expect(() => build({ hrBusName: 'default' })).toThrow(/hrBusName/);
  });

  it('rejects a From address outside the SES identity domain, and a missing DTI mailbox', () => {
    expect(() => build({ mailFrom: 'someone@example.org' })).toThrow(/mailDomain/);
    expect(() => build({ dtiEmail: '' })).toThrow(/dtiEmail/);
  });

  describe('resources that already exist: the SES identity and the backup vault', () => {
    const settingsOf = (extra: Record<string, unknown>) => settingsFromContext(new App({ context: { ...cdkJson.context, ...settings, ...extra } }));

    it('reads existingMailIdentity and mailIdentityVerified as booleans, from cdk.json or -c (strings), default false', () => {
      expect(settingsOf({})).toMatchObject({ existingMailIdentity: false, mailIdentityVerified: false });
      expect(settingsOf({ existingMailIdentity: 'true', mailIdentityVerified: true })).toMatchObject({
        existingMailIdentity: true,
        mailIdentityVerified: true,
      });
      expect(settingsOf({ existingMailIdentity: false, mailIdentityVerified: 'false' })).toMatchObject({
        existingMailIdentity: false,
        mailIdentityVerified: false,
      });
    });

    it('refuses anything else than true or false for them, naming the key', () => {
      expect(() => settingsOf({ existingMailIdentity: 'yes' })).toThrow('- existingMailIdentity "yes" must be true or false');
      expect(() => settingsOf({ mailIdentityVerified: 1 })).toThrow('- mailIdentityVerified "1" must be true or false');
    });

    it('refuses an existingBackupVaultName AWS Backup would not take', () => {
      for (const bad of ['a', 'records vault', 'vault/records', 'x'.repeat(51)]) {
        expect(() => settingsOf({ existingBackupVaultName: bad }), bad).toThrow(`- existingBackupVaultName "${bad}" must be an AWS Backup vault name`);
      }
      expect(settingsOf({ existingBackupVaultName: 'SocialMediaGovernanceRecordsBackupVault1FF517C2' }).existingBackupVaultName).toBe(
        'SocialMediaGovernanceRecordsBackupVault1FF517C2',
      );
      expect(settingsOf({}).existingBackupVaultName).toBeUndefined();
    });

    it('with existingBackupVaultName: backs up into that vault, and creates neither a vault nor its key', () => {
      const name = 'SocialMediaGovernanceRecordsBackupVault1FF517C2';
      const otherResources = Template.fromStack(build({ existingBackupVaultName: name })).toJSON().Resources as Record<string, Json>;
      expect(Object.values(otherResources).filter((r) => r.Type === 'AWS::Backup::BackupVault')).toEqual([]);
      expect(otherResources.RecordsBackupKeyFAC4BF08).toBeUndefined();
      const plan = Object.values(otherResources).find((r) => r.Type === 'AWS::Backup::BackupPlan') as Json;
      expect(plan.Properties.BackupPlan.BackupPlanRule[0].TargetBackupVault).toBe(name);
      const alarms = Object.values(otherResources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/Backup');
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) expect(alarm.Properties.Dimensions).toEqual([{ Name: 'BackupVaultName', Value: name }]);
    });
  });

  describe('the City\u2019s identity provider and the first administrators', () => {
    const settingsOf = (extra: Record<string, unknown>) => settingsFromContext(new App({ context: { ...cdkJson.context, ...settings, ...extra } }));
    const problemsOf = (extra: Record<string, unknown>) => {
      try {
        settingsOf(extra);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };

    it('reads SAML (default name CityOfAlbuquerque) or OIDC from context, or none', () => {
      expect(settingsOf({ idpSamlMetadataUrl: 'https://idp.cabq.gov/metadata.xml' }).identityProvider).toEqual({
        protocol: 'SAML',
        name: 'CityOfAlbuquerque',
        metadataUrl: 'https://idp.cabq.gov/metadata.xml',
      });
      expect(
        settingsOf({
          idpOidcIssuer: 'https://login.microsoftonline.com/t/v2.0',
          idpOidcClientId: 'app',
          idpOidcClientSecretName: 'cabq/idp',
          idpName: 'CabqEntra',
        }).identityProvider,
      ).toEqual({ protocol: 'OIDC', name: 'CabqEntra', issuerUrl: 'https://login.microsoftonline.com/t/v2.0', clientId: 'app', clientSecretName: 'cabq/idp' });
      expect(settingsOf({}).identityProvider).toBeUndefined();
    });

    it('refuses SAML and OIDC at once, each naming the keys', () => {
      expect(
        problemsOf({
          idpSamlMetadataUrl: 'https://idp.cabq.gov/metadata.xml',
          idpOidcIssuer: 'https://idp.cabq.gov',
          idpOidcClientId: 'a',
          idpOidcClientSecretName: 's',
        }),
      ).toContain('- set either idpSamlMetadataUrl (SAML) or idpOidcIssuer (OIDC), not both: the City signs in through one identity provider');
    });

    it('refuses an OIDC issuer without its client id or its client secret\u2019s name, and those without an issuer', () => {
      const withoutClient = problemsOf({ idpOidcIssuer: 'https://idp.cabq.gov' });
      expect(withoutClient).toContain('- idpOidcIssuer is set but idpOidcClientId is not (the client id of the app registered with the identity provider)');
      expect(withoutClient).toContain(
        '- idpOidcIssuer is set but idpOidcClientSecretName is not (the name of the Secrets Manager secret that holds the client secret)',
      );
      expect(problemsOf({ idpOidcClientId: 'a' })).toContain('- idpOidcClientId and idpOidcClientSecretName need idpOidcIssuer (the OIDC issuer URL)');
    });

    it('refuses a client secret in context, and a secret name Secrets Manager would not take', () => {
      expect(problemsOf({ idpOidcIssuer: 'https://idp.cabq.gov', idpOidcClientId: 'a', idpOidcClientSecret: 'hunter2' })).toContain(
        '- idpOidcClientSecret must not be in context (cdk.json and -c end up in files and shell history): store it in Secrets Manager and set idpOidcClientSecretName',
      );
      expect(problemsOf({ idpOidcIssuer: 'https://idp.cabq.gov', idpOidcClientId: 'a', idpOidcClientSecretName: 'has spaces*' })).toContain(
        '- idpOidcClientSecretName "has spaces*" must be a Secrets Manager secret name (A-Z a-z 0-9 / _ + = . @ -)',
      );
    });

    it('refuses URLs that are not https', () => {
      expect(problemsOf({ idpSamlMetadataUrl: 'http://idp.cabq.gov/metadata.xml' })).toContain(
        '- idpSamlMetadataUrl "http://idp.cabq.gov/metadata.xml" must be an https URL',
      );
      expect(problemsOf({ idpOidcIssuer: 'idp.cabq.gov', idpOidcClientId: 'a', idpOidcClientSecretName: 's' })).toContain(
        '- idpOidcIssuer "idp.cabq.gov" must be an https URL',
      );
    });

    it('refuses a provider name Cognito would not take, and one given without a provider', () => {
      for (const name of ['ab', 'Cognito', 'Google', '_City', 'x'.repeat(33), 'City Of ABQ']) {
        expect(problemsOf({ idpSamlMetadataUrl: 'https://idp.cabq.gov/m.xml', idpName: name }), name).toContain(`- idpName "${name}" must be 3-32 of`);
      }
      expect(problemsOf({ idpName: 'CabqEntra' })).toContain('- idpName is set but no identity provider is (idpSamlMetadataUrl or idpOidcIssuer)');
    });

    it('reads firstAdminEmails as a comma-separated list, lower-cased, and refuses what is not an address', () => {
      expect(settingsOf({ firstAdminEmails: ' DTI.Admin@cabq.gov , second@cabq.gov' }).firstAdminEmails).toEqual(['dti.admin@cabq.gov', 'second@cabq.gov']);
      expect(settingsOf({}).firstAdminEmails).toEqual([]);
      expect(problemsOf({ firstAdminEmails: 'dti.admin@cabq.gov, dti-admin' })).toContain('- firstAdminEmails entry "dti-admin" is not an email address');
    });
  });
});
