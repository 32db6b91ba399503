import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { stackOutput } from './outputs.ts';

/**
 * The mail the workflows send (approval links, notices): an SES domain identity with Easy DKIM and
 * a configuration set that requires TLS, keeps reputation metrics and does not send to addresses on
 * SES's suppression list for bounces or complaints. There is no bounce handler of our own.
 */
export class Mail extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly identity: EmailIdentity;
  readonly mailFrom: string;
  private readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: { mailDomain: string; mailFrom: string }) {
    super(scope, id);
    this.mailFrom = props.mailFrom;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Easy DKIM: the City publishes the three CNAME records (outputs DkimRecord1..3) in its DNS.
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.mailDomain),
      configurationSet: this.configurationSet,
    });
    this.identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    stackOutput(this, 'MailConfigurationSetName', { value: this.configurationSet.configurationSetName });
    this.identity.dkimRecords.forEach((record, i) => {
      stackOutput(this, `DkimRecord${i + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `DKIM record ${i + 1} to publish in ${props.mailDomain} DNS`,
      });
    });
  }

  /** Sending from the governance identity, through its configuration set, as MAIL_FROM only. */
  grantSend(role: Role): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendFromGovernanceIdentity',
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.mailFrom } },
      }),
    );
  }
}
