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
    'KeysExecutionKey5EC4ACAE',
    'KeysLinkMacKey8AFF2455',
    'KeysLogsKeyD24E82DB',
    'CredentialsVaultCredentialsKey0956FF99',
    'MailEventsTopicKeyE9542373',
    'MonitoringAlarmTopicKeyFFA45DC9',
    'RecordsBackupKeyFAC4BF08',
  ],
  'AWS::Cognito::UserPool': ['SignInUserPoolA2C003D1'],
  'AWS::Cognito::UserPoolDomain': ['SignInUserPoolSignInDomain04F95A6E'],
  'AWS::Backup::BackupVault': ['RecordsBackupVaultBB6FB7CA'],
  'AWS::SES::EmailIdentity': ['MailIdentity4EC7C521'],
  'AWS::Events::EventBus': ['HrEventsBus357DD079'],
  // A state machine holds its running executions: replacing one (a changed logical id) would strand
  // every request waiting on a link there. The retired shared chain keeps the id it had before the
  // upgrade that gave each workflow its own (README, "Upgrading from the shared approval chain").
  'AWS::StepFunctions::StateMachine': [
    'StateMachinesNewAccountApprovalStateMachine71F15617',
    'StateMachinesPostingAuthorityApprovalStateMachine97F60EBC',
    'StateMachinesPostRemovalApprovalStateMachineE4EAF92B',
    'StateMachinesDepartmentPolicyApprovalStateMachineB9275CF1',
    'StateMachinesExceptionApprovalStateMachine144C7745',
    'StateMachinesWebsiteDisplayApprovalStateMachineCFDC390D',
    'StateMachinesPlatformProposalApprovalStateMachineBC706944',
    'StateMachinesSeparationOffboardingStateMachine312B0DD6',
    'StateMachinesAnnualReviewStateMachine6B043BCD',
    'StateMachinesApprovalChainStateMachineAEBDFC7A',
    'StateMachinesAccountRetirementApprovalStateMachine6E19F2FE',
    'StateMachinesCredentialCaptureStateMachine00175893',
  ],
};

/** The state machines' logs (every state transition: the workflows' audit trail) and the HTTP API's access logs. */
const AUDIT_LOG_GROUPS = [
  'StateMachinesNewAccountApprovalLogs195D4181',
  'StateMachinesPostingAuthorityApprovalLogs6B8D7717',
  'StateMachinesPostRemovalApprovalLogsE184B1E5',
  'StateMachinesDepartmentPolicyApprovalLogs4A9DA800',
  'StateMachinesExceptionApprovalLogsF8868575',
  'StateMachinesWebsiteDisplayApprovalLogs71641B9A',
  'StateMachinesPlatformProposalApprovalLogs49608776',
  'StateMachinesSeparationOffboardingLogsA699DCBE',
  'StateMachinesAnnualReviewLogs099FA333',
  'StateMachinesApprovalChainLogs0CFDCE82',
  'StateMachinesAccountRetirementApprovalLogs126947F6',
  'StateMachinesCredentialCaptureLogs1BE673E1',
  'ApiAccessLogs50B185DB',
];

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
