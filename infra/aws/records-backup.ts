import { Duration, Names, RemovalPolicy, TimeZone, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault, type IBackupVault } from 'aws-cdk-lib/aws-backup';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { onlyAwsServicesCreateGrants, type UsersOnlyKey } from './keys.ts';
import type { Monitoring } from './monitoring.ts';
import { stackOutput } from './outputs.ts';

export interface RecordsBackupProps {
  table: ITableV2;
  /** The table's key: its policy names the users it has, so AWS Backup's role is named in it. */
  tableKey: UsersOnlyKey;
  /** Days each backup is kept, and the lock's minimum retention. */
  recordsRetentionDays: number;
  /** Days during which the lock can still be changed or removed. */
  recordsVaultLockGraceDays: number;
  /** A vault already in AWS Backup to keep the backups in (settings.existingBackupVaultName): none is created. */
  existingBackupVaultName?: string;
  monitoring: Monitoring;
}

/**
 * Records retention (I). The table has 35 days of point-in-time recovery, deletion protection and
 * is retained; the records (and everything else in it) must outlive that. A daily backup of the
 * whole table goes to a vault of its own, encrypted with its own key and locked: once the grace
 * period has passed the lock is immutable (compliance mode), and nobody (department staff, DTI
 * administrators, the account root) can delete a backup or shorten its retention before
 * recordsRetentionDays, or remove the lock. During the grace period the lock can still be changed
 * or removed, so a wrong setting can be corrected before it binds for years. The backups are
 * encrypted with the vault's key when AWS Backup's advanced DynamoDB backup is on in the account (an
 * account setting, not a CloudFormation resource); without it they keep the table's key, also
 * customer managed.
 *
 * The vault is retained and, once locked, cannot be deleted while it holds backups, so its name
 * (CDK's, from the construct path) stays taken after the stack is deleted: a new deployment of the
 * same stack names it in existingBackupVaultName and goes on backing up into it, and the records
 * stay in one vault. The name is not made unique per stack instead: renaming it would replace the
 * vault of a running deployment, leaving the backups behind in the old one.
 */
export class RecordsBackup extends Construct {
  readonly vault: IBackupVault;

  constructor(scope: Construct, id: string, props: RecordsBackupProps) {
    super(scope, id);
    this.vault = props.existingBackupVaultName ? BackupVault.fromBackupVaultName(this, 'Vault', props.existingBackupVaultName) : this.lockedVault(props);
    const plan = new BackupPlan(this, 'Plan', {
      // Not retained, but a plan name may be taken in the account: this stack's (path and hash), within AWS Backup's 50 characters.
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }),
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'DailyTableBackup',
          backupVault: this.vault,
          // 01:00 in Albuquerque, outside office hours; the lock refuses a shorter lifecycle.
          scheduleExpression: Schedule.cron({ hour: '1', minute: '0' }),
          scheduleExpressionTimezone: TimeZone.AMERICA_DENVER,
          deleteAfter: Duration.days(props.recordsRetentionDays),
        }),
      ],
    });
    // AWS Backup's own role for taking backups (not restoring: a restore is a deliberate act by an
    // administrator, into a new table).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('backup.amazonaws.com'),
      description: 'Social media governance: AWS Backup takes the daily backups of the governance table',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup\u2019s service role policy for taking backups, maintained by AWS as the services it backs up change (DynamoDB advanced backup, KMS grants for the vault key); only backup.amazonaws.com can assume this role, and it has no restore permission.',
    });
    // Reading the table for a backup (and a backup that keeps the table's key) uses the table key
    // through DynamoDB on the role's behalf; the role's managed policy cannot grant that alone, as the
    // key trusts no IAM policy for its use.
    props.tableKey.allowUse(role, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], undefined, 'AwsBackupBacksUpTheTable');
    plan.addSelection('GovernanceTable', {
      resources: [BackupResource.fromDynamoDbTable(props.table)],
      role,
      disableDefaultBackupPolicy: true,
    });
    for (const [metricName, what] of [
      ['NumberOfBackupJobsFailed', 'failed'],
      ['NumberOfBackupJobsExpired', 'did not start within its window'],
    ] as const) {
      props.monitoring.alarmOn(
        this,
        `${metricName.replace('NumberOfBackupJobs', '')}Alarm`,
        new Metric({
          namespace: 'AWS/Backup',
          metricName,
          dimensionsMap: { BackupVaultName: this.vault.backupVaultName },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        `The daily backup of the governance table (public records, I) ${what}. See AWS Backup \u2192 Jobs.`,
      );
    }
    stackOutput(this, 'RecordsBackupVaultName', {
      value: this.vault.backupVaultName,
      description: 'AWS Backup vault (locked) with the daily table backups',
    });
  }

  /** A vault of its own, with its own key, locked at the retention (compliance mode after the grace period). */
  private lockedVault(props: RecordsBackupProps): BackupVault {
    const key = new Key(this, 'Key', {
      description: 'Social media governance: encrypts the records backups (AWS Backup vault)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(onlyAwsServicesCreateGrants());
    return new BackupVault(this, 'Vault', {
      encryptionKey: key,
      lockConfiguration: {
        minRetention: Duration.days(props.recordsRetentionDays),
        changeableFor: Duration.days(props.recordsVaultLockGraceDays),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
