import { describe, expect, it } from 'vitest';
import { ofType, resources, synthesizeGovernanceStack } from './governance-template.ts';

synthesizeGovernanceStack();

/*
 * The logical ids of the resources that hold the City's data, or a name others rely on, as literal
 * strings. After go-live, changing one (renaming a construct, or moving it to another parent) makes
 * CloudFormation create a new resource and delete or orphan the old one: a new, empty table or user
 * pool (everyone's MFA enrolment gone), a key that no longer decrypts what it encrypted, a backup
 * vault without the backups, a second identity or log group under a name that is taken. That is
 * data loss or a failed deployment, so a test that fails here needs a migration plan (or CDK's
 * `overrideLogicalId` to keep the old id), not a new literal.
 */
const STATEFUL: Record<string, string[]> = {
  'AWS::DynamoDB::GlobalTable': ['GovernanceTable89C3034A'],
  'AWS::KMS::Key': [
    'KeysTableKey51BEA61D',
    'KeysTaskTokenKeyD517297A',
    'KeysLinkMacKey8AFF2455',
    'CredentialsVaultCredentialsKey0956FF99',
    'MonitoringAlarmTopicKeyFFA45DC9',
    'RecordsBackupKeyFAC4BF08',
  ],
  'AWS::Cognito::UserPool': ['SignInUserPoolA2C003D1'],
  'AWS::Cognito::UserPoolDomain': ['SignInUserPoolSignInDomain04F95A6E'],
  'AWS::Backup::BackupVault': ['RecordsBackupVaultBB6FB7CA'],
  'AWS::SES::EmailIdentity': ['MailIdentity4EC7C521'],
  'AWS::Events::EventBus': ['HrEventsBus357DD079'],
};

/** The state machines' logs (every state transition: the workflows' audit trail) and the HTTP API's access logs. */
const AUDIT_LOG_GROUPS = ['StateMachinesApprovalChainLogs0CFDCE82', 'StateMachinesSeparationOffboardingLogsA699DCBE', 'ApiAccessLogs50B185DB'];

describe('stateful resources keep their logical ids (a change replaces the resource: data loss after go-live)', () => {
  it.each(Object.entries(STATEFUL))('%s: exactly the pinned logical ids (a new one is pinned here deliberately)', (type, ids) => {
    expect(
      ofType(type)
        .map(([id]) => id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('the audit log groups keep their logical ids, and are retained', () => {
    for (const id of AUDIT_LOG_GROUPS) {
      expect(resources[id]?.Type, id).toBe('AWS::Logs::LogGroup');
      expect(resources[id]?.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('the backup vault keeps its name, which CDK derives from the construct path as it does the logical id', () => {
    expect(resources.RecordsBackupVaultBB6FB7CA?.Properties.BackupVaultName).toBe('SocialMediaGovernanceRecordsBackupVault1FF517C2');
  });
});
