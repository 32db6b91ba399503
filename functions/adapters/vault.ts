import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { env } from '#adapters/env';
import { tracer } from '#adapters/tracer';
import { InvalidInputError, NotFoundError } from '#core/errors';

/**
 * The vault of each City social-media account's shared credential (policy rule C/O.b): one
 * Secrets Manager secret per account, a version per password, staging labels for its state
 * (AWSPENDING: set on the platform but not yet confirmed; AWSCURRENT: the password in use).
 * AWS: Secrets Manager itself. Local: the Secrets-Manager-compatible endpoint of the local stack
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER), so this module is the same in both hosts.
 *
 * No password ever leaves this module other than as the return value of readVersion: none is
 * logged, and no error raised here carries one (AWS's error messages never echo a secret value).
 */
export interface CredentialVault {
  /** The secret's name for an account. */
  secretName(accountId: string): string;
  /** Stores `password` as version `versionId` (a UUID) staged AWSPENDING, creating the secret on first use (KmsKeyId = VAULT_KMS_KEY_ID when set; tags none). Idempotent: if that version exists already it is left unchanged and false is returned (use ClientRequestToken = versionId; treat an existing version as success without re-sending a different value). */
  stagePending(accountId: string, versionId: string, password: string): Promise<boolean>;
  /** The value of one version, or undefined when the secret or that version does not exist. */
  readVersion(accountId: string, versionId: string): Promise<string | undefined>;
  /** Makes `versionId` AWSCURRENT (RemoveFromVersionId = the version currently AWSCURRENT, if any and different) and removes AWSPENDING from it. Idempotent (already current → no-op). Throws a clear error (no secret value in it) when the version does not exist. */
  promote(accountId: string, versionId: string): Promise<void>;
  /** Version id → its staging labels (DescribeSecret VersionIdsToStages); {} when the secret does not exist. */
  versions(accountId: string): Promise<Record<string, string[]>>;
}

const PENDING = 'AWSPENDING';
const CURRENT = 'AWSCURRENT';

let client: SecretsManagerClient | undefined;
const secretsManager = () => (client ??= tracer.captureAWSv3Client(new SecretsManagerClient({})));

/** Secret names allow letters, digits and /_+=.@-; an account id gets no slash, so it cannot reach outside the prefix. */
const accountIdPattern = /^[A-Za-z0-9_+=.@-]{1,200}$/;
/** Secrets Manager's ClientRequestToken / VersionId constraint (a UUID is 36). */
const versionIdPattern = /^[A-Za-z0-9-]{32,64}$/;

function checkIds(accountId: string, versionId?: string): void {
  if (!accountIdPattern.test(accountId))
    throw new InvalidInputError(`Not a valid account id for the credential vault: ${JSON.stringify(accountId.slice(0, 80))}`);
  if (versionId !== undefined && !versionIdPattern.test(versionId)) {
    throw new InvalidInputError(`Not a valid credential version id (32–64 letters, digits or dashes): ${JSON.stringify(versionId.slice(0, 80))}`);
  }
}

/** DescribeSecret's labelled versions, or undefined when the secret does not exist. */
async function describe(name: string): Promise<Record<string, string[]> | undefined> {
  try {
    const out = await secretsManager().send(new DescribeSecretCommand({ SecretId: name }));
    return out.VersionIdsToStages ?? {};
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

export const vault: CredentialVault = {
  secretName(accountId) {
    checkIds(accountId);
    return `${env().VAULT_SECRET_PREFIX}${accountId}`;
  },

  async stagePending(accountId, versionId, password) {
    checkIds(accountId, versionId);
    const name = vault.secretName(accountId);
    const labelled = await describe(name);
    if (labelled?.[versionId]) return false;
    if (!labelled) {
      const kmsKeyId = env().VAULT_KMS_KEY_ID;
      try {
        // No value here: the first version comes from PutSecretValue below, so that it is staged AWSPENDING with our version id.
        await secretsManager().send(
          new CreateSecretCommand({
            Name: name,
            Description: `Shared credential of City social-media account ${accountId}`,
            ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceExistsException)) throw error; // created meanwhile by a concurrent call
      }
    }
    try {
      const out = await secretsManager().send(
        new PutSecretValueCommand({ SecretId: name, ClientRequestToken: versionId, SecretString: password, VersionStages: [PENDING] }),
      );
      // Same token and same value as a version that has lost its labels: AWS ignores the request and the
      // version stays as it was (not AWSPENDING), so it was not staged by this call.
      return out.VersionStages?.includes(PENDING) ?? true;
    } catch (error) {
      // The version exists with a different value: AWS never changes a version, and neither do we.
      if (error instanceof ResourceExistsException) return false;
      throw error;
    }
  },

  async readVersion(accountId, versionId) {
    checkIds(accountId, versionId);
    try {
      const out = await secretsManager().send(new GetSecretValueCommand({ SecretId: vault.secretName(accountId), VersionId: versionId }));
      return out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  },

  async promote(accountId, versionId) {
    checkIds(accountId, versionId);
    const name = vault.secretName(accountId);
    const send = (stage: string, moveTo?: string, removeFrom?: string) =>
      secretsManager().send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: stage,
          ...(moveTo ? { MoveToVersionId: moveTo } : {}),
          ...(removeFrom ? { RemoveFromVersionId: removeFrom } : {}),
        }),
      );
    // Each step reads the labels afresh, so a retry after a crash (or a concurrent promote that moved a
    // label first, which AWS answers with InvalidParameterException) resumes where the labels are now.
    for (let attempt = 1; ; attempt += 1) {
      const labelled = await describe(name);
      const labels = labelled?.[versionId];
      if (!labelled || !labels) {
        throw new NotFoundError(`The credential of account ${accountId} has no version ${versionId} to promote (never stored, or superseded by a newer one).`);
      }
      try {
        if (!labels.includes(CURRENT)) {
          const current = Object.keys(labelled).find((id) => labelled[id]?.includes(CURRENT));
          await send(CURRENT, versionId, current);
        }
        if (labels.includes(PENDING)) await send(PENDING, undefined, versionId);
        return;
      } catch (error) {
        if (!(error instanceof InvalidParameterException) || attempt >= 3) throw error;
      }
    }
  },

  async versions(accountId) {
    return (await describe(vault.secretName(accountId))) ?? {};
  },
};
