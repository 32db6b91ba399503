import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { FunctionAccess } from '../../functions/catalogue.ts';
import { UsersOnlyKey } from './keys.ts';
import { credentialsKeyAlias } from './settings.ts';

type VaultVerb = NonNullable<FunctionAccess['vault']>[number];

/**
 * The accounts' shared credentials: one Secrets Manager secret per account, named
 * <vaultSecretPrefix><account id>, created by the functions (not by this stack) and encrypted with
 * this construct's customer-managed key, so every use of a password is a KMS call in CloudTrail.
 * The key's policy lets the account administer it and only the vault functions' roles use it, only
 * through Secrets Manager and for the prefix's secrets: no administrator can read a password with it.
 */
export class CredentialsVault extends Construct {
  readonly key: UsersOnlyKey;
  /** Every secret under the prefix (Secrets Manager appends a random suffix to each name). */
  readonly secretArns: string;
  readonly vaultSecretPrefix: string;

  constructor(scope: Construct, id: string, props: { vaultSecretPrefix: string }) {
    super(scope, id);
    this.vaultSecretPrefix = props.vaultSecretPrefix;
    this.secretArns = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${props.vaultSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.key = new UsersOnlyKey(this, 'CredentialsKey', {
      description: `Social media governance: encrypts the accounts' shared credentials (Secrets Manager secrets ${props.vaultSecretPrefix}*)`,
      alias: credentialsKeyAlias(props.vaultSecretPrefix),
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      viaService: 'secretsmanager',
    });
  }

  /** Exactly what the catalogue's vault verbs need, on the prefix's secrets; returns the environment. */
  grant(role: Role, key: string, vault: readonly VaultVerb[]): Record<string, string> {
    const { vaultSecretPrefix } = this;
    const verbs = new Set(vault);
    const secretActions = [
      ...(verbs.has('stage') || verbs.has('promote') ? ['secretsmanager:DescribeSecret'] : []),
      ...(verbs.has('stage') ? ['secretsmanager:PutSecretValue'] : []),
      ...(verbs.has('reveal') ? ['secretsmanager:GetSecretValue'] : []),
      ...(verbs.has('promote') ? ['secretsmanager:UpdateSecretVersionStage'] : []),
    ];
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'UseAccountCredentials', actions: secretActions, resources: [this.secretArns] }));
    if (verbs.has('stage')) {
      // A secret can only be created with the credentials key named in the request (not the
      // account's default aws/secretsmanager key, and not without a key).
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'CreateAccountCredentialsWithTheCredentialsKey',
          actions: ['secretsmanager:CreateSecret'],
          resources: [this.secretArns],
          conditions: { ArnEquals: { 'secretsmanager:KmsKeyArn': this.key.keyArn } },
        }),
      );
    }
    // Secrets Manager uses the key on the caller's behalf: GenerateDataKey to encrypt a new value,
    // Decrypt to read one (and to validate key access when a secret is created, and to compare
    // values on a repeated PutSecretValue). Only through Secrets Manager, and only for the secrets
    // under the prefix (its encryption context names the secret).
    const keyActions = [...(verbs.has('stage') ? ['kms:GenerateDataKey'] : []), ...(verbs.has('stage') || verbs.has('reveal') ? ['kms:Decrypt'] : [])];
    if (keyActions.length) {
      const forThePrefix = { StringLike: { 'kms:EncryptionContext:SecretARN': this.secretArns } };
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'CredentialsKeyThroughSecretsManager',
          actions: keyActions,
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` }, ...forThePrefix },
        }),
      );
      // The key policy names the role too (its viaService adds kms:ViaService and kms:CallerAccount):
      // the account delegates no use of this key to IAM, so this is what lets the role use it.
      this.key.allowUse(role, keyActions, forThePrefix);
    }
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(this), this.secretArns)}]`,
      reason: `The account credential secrets are created at run time, one per account (${vaultSecretPrefix}<account id>), and Secrets Manager appends a random suffix to every secret ARN; ${key} is limited to that name prefix and to the vault verbs ${[...verbs].join(', ')}.`,
    });
    return { VAULT_SECRET_PREFIX: vaultSecretPrefix, VAULT_KMS_KEY_ID: this.key.keyArn };
  }
}

/**
 * A token-bearing string as cdk-nag names it in a finding (`<Logical.Attr>`, `<AWS::AccountId>`),
 * so an acknowledgement can name exactly the resource it accepts.
 */
function nagResourceName(stack: Stack, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n['Fn::Join'])) {
      const [delimiter, parts] = n['Fn::Join'] as [string, unknown[]];
      return parts.map(visit).join(delimiter);
    }
    if (Array.isArray(n['Fn::GetAtt'])) return `<${(n['Fn::GetAtt'] as string[]).join('.')}>`;
    if (typeof n.Ref === 'string') return `<${n.Ref}>`;
    return JSON.stringify(node);
  };
  return visit(stack.resolve(value));
}
