import { RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { FunctionAccess } from '../../functions/catalogue.ts';

/**
 * The customer-managed keys of the governance data, so the City controls (and CloudTrail records)
 * who can read it: the table's key, and the two keys behind approval links. (The alarm topic, the
 * records backups and the credentials vault have keys of their own, beside what they encrypt.)
 */
export class GovernanceKeys extends Construct {
  /** Encrypts the DynamoDB table. */
  readonly table: Key;
  /** Seals Step Functions task tokens before they are stored (adapters/link-keys.ts). */
  readonly taskToken: Key;
  /** Derives approval-link secrets (HMAC of the approval id). */
  readonly linkMac: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Key(this, 'TableKey', {
      description: 'Social media governance: DynamoDB table encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskToken = new Key(this, 'TaskTokenKey', {
      description: 'Social media governance: seals Step Functions task tokens at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The MAC lets a reminder resend the same link while only the secret's hash is stored. KMS does
    // not rotate HMAC keys, and rotating it would change every outstanding link's secret anyway.
    this.linkMac = new Key(this, 'LinkMacKey', {
      description: 'Social media governance: derives approval link secrets (HMAC)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * What a function that issues links (seal tokens, derive secrets) or redeems them (open tokens)
   * may do with the keys; returns the environment it finds them by.
   */
  grantLinkKeys(grantee: IGrantable, linkKeys: NonNullable<FunctionAccess['linkKeys']>): Record<string, string> {
    const environment: Record<string, string> = { TOKEN_KMS_KEY_ID: this.taskToken.keyArn };
    // Every seal/open binds the token to its approval id through the encryption context.
    const withApprovalContext = { Null: { 'kms:EncryptionContext:approvalId': 'false' } };
    if (linkKeys === 'issue' || linkKeys === 'derive') {
      environment.LINK_MAC_KEY_ID = this.linkMac.keyArn;
      if (linkKeys === 'issue') {
        grantee.grantPrincipal.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['kms:Encrypt'], resources: [this.taskToken.keyArn], conditions: withApprovalContext }),
        );
      }
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:GenerateMac'],
          resources: [this.linkMac.keyArn],
          conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
        }),
      );
    } else {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.taskToken.keyArn], conditions: withApprovalContext }),
      );
    }
    return environment;
  }
}
