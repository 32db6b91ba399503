import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AwsServiceError, type AwsJsonEndpoint, ensureNamedTable, listenAwsJson } from '#local/aws-endpoint';
import { accountId, region } from '#local/step-functions';

/**
 * The local Secrets Manager: a test double of the part of AWS Secrets Manager the credential vault
 * uses, speaking its AWS JSON 1.1 protocol (`X-Amz-Target: secretsmanager.<Op>`, errors as
 * `{"__type": "<Name>", "message": ...}` with HTTP 400) so functions run the real
 * @aws-sdk/client-secrets-manager against it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 *
 * Secrets are kept in DynamoDB Local, so they outlive a restart of the local stack like the rest of
 * its data. Every version's value is sealed with AES-256-GCM under the local vault key (random IV,
 * the secret name and version id as associated data, so a sealed value cannot be moved to another
 * version); no value is stored, logged or put in an error message in clear. Requests are not
 * signature-checked: this is a local stand-in, not a security boundary.
 */

export const defaultSecretsTable = 'local-secrets-manager';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';

interface StoredVersion {
  stages: string[];
  created: number;
  /** 'S' for SecretString, 'B' for SecretBinary. */
  kind: 'S' | 'B';
  /** iv.tag.ciphertext, base64url. */
  sealed: string;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  created: number;
  changed: number;
  /** Bumped on every write: the optimistic lock that keeps label moves atomic across concurrent requests. */
  revision: number;
  versions: Record<string, StoredVersion>;
}

type Body = Record<string, unknown>;

/** An error AWS would answer with this `__type`; its message never contains a secret value. */

const invalid = (message: string) => new AwsServiceError('InvalidParameterException', message);
const notFound = (message = "Secrets Manager can't find the specified secret.") => new AwsServiceError('ResourceNotFoundException', message);

const str = (body: Body, key: string): string | undefined => {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${key} must be a string.`);
  return v;
};
const seconds = (ms: number) => ms / 1000;

/** AWS's constraints: secret names of letters, digits and /_+=.@-; version ids (ClientRequestToken) of 32–64 characters. */
const namePattern = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const tokenPattern = /^[A-Za-z0-9-]{32,64}$/;

export class LocalSecretsManager {
  private readonly db: DynamoDBDocumentClient;
  private endpoint?: AwsJsonEndpoint;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly key: Buffer,
    private readonly tableName: string = defaultSecretsTable,
  ) {
    if (key.length !== 32) throw new Error('The local vault key must be 32 bytes.');
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  ensureTable(): Promise<void> {
    return ensureNamedTable(this.client, this.tableName);
  }

  // ── Sealing ──────────────────────────────────────────────────────────────────────────────────

  private seal(name: string, versionId: string, plain: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(JSON.stringify([name, versionId])));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  }

  private open(name: string, versionId: string, sealed: string): Buffer {
    try {
      const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv ?? Buffer.alloc(0), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(JSON.stringify([name, versionId])));
      decipher.setAuthTag(tag ?? Buffer.alloc(0));
      return Buffer.concat([decipher.update(body ?? Buffer.alloc(0)), decipher.final()]);
    } catch {
      // AWS's answer when the secret's KMS key cannot decrypt it; here, another local vault key.
      throw new AwsServiceError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    }
  }

  // ── Storage ──────────────────────────────────────────────────────────────────────────────────

  /** A secret by name or by its full ARN, as SecretId accepts both. */
  private async load(secretId: string | undefined): Promise<StoredSecret | undefined> {
    if (!secretId) throw invalid('SecretId is required.');
    const arnName = /^arn:aws:secretsmanager:[^:]*:[^:]*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(secretId)?.[1];
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { name: arnName ?? secretId }, ConsistentRead: true }));
    const item = out.Item as StoredSecret | undefined;
    return item && (!arnName || item.arn === secretId) ? item : undefined;
  }

  /** Read, change, write back only if nobody wrote in between (else read again): one request's label moves are atomic. */
  private async update<T>(secretId: string | undefined, change: (secret: StoredSecret) => T): Promise<T> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const secret = await this.load(secretId);
      if (!secret) throw notFound();
      const revision = secret.revision;
      const result = change(secret);
      if (secret.revision === revision) return result; // nothing to write (an idempotent repeat)
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...secret, changed: Date.now() },
            ConditionExpression: 'revision = :r',
            ExpressionAttributeValues: { ':r': revision },
          }),
        );
        return result;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    throw new AwsServiceError('InternalServiceError', 'Too many concurrent changes to this secret; try again.', 500);
  }

  // ── Staging labels ───────────────────────────────────────────────────────────────────────────

  /** The version holding a label: AWS attaches each staging label to at most one version of a secret. */
  private static holder(secret: StoredSecret, stage: string): string | undefined {
    return Object.keys(secret.versions).find((id) => secret.versions[id]?.stages.includes(stage));
  }

  /**
   * Attaches `stage` to `versionId`, taking it off whichever version held it (AWS moves a label
   * rather than duplicating it). Moving AWSCURRENT moves AWSPREVIOUS to the version it left, as AWS does.
   */
  private static attach(secret: StoredSecret, versionId: string, stage: string): void {
    const from = LocalSecretsManager.holder(secret, stage);
    if (from === versionId) return;
    if (from) LocalSecretsManager.detach(secret, from, stage);
    secret.versions[versionId]?.stages.push(stage);
    if (stage === CURRENT && from) LocalSecretsManager.attach(secret, from, PREVIOUS);
  }

  private static detach(secret: StoredSecret, versionId: string, stage: string): void {
    const version = secret.versions[versionId];
    if (version) version.stages = version.stages.filter((s) => s !== stage);
  }

  // ── Operations ───────────────────────────────────────────────────────────────────────────────

  private value(body: Body): { kind: 'S' | 'B'; plain: Buffer } | undefined {
    const text = str(body, 'SecretString');
    const binary = str(body, 'SecretBinary'); // a blob: base64 in the JSON protocol
    if (text !== undefined && binary !== undefined) throw invalid('You can provide SecretString or SecretBinary, not both.');
    if (text !== undefined) return { kind: 'S', plain: Buffer.from(text, 'utf8') };
    if (binary !== undefined) return { kind: 'B', plain: Buffer.from(binary, 'base64') };
    return undefined;
  }

  private newVersion(secret: StoredSecret, versionId: string, value: { kind: 'S' | 'B'; plain: Buffer }): StoredVersion {
    return { stages: [], created: Date.now(), kind: value.kind, sealed: this.seal(secret.name, versionId, value.plain) };
  }

  /** CreateSecret: a name is taken once (ResourceExistsException); a value, if given, becomes the first version, AWSCURRENT. */
  async createSecret(body: Body): Promise<Body> {
    const name = str(body, 'Name');
    if (!name || !namePattern.test(name)) throw invalid('Name must be 1–512 letters, digits or /_+=.@- characters.');
    const value = this.value(body);
    const now = Date.now();
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6)}`,
      description: str(body, 'Description'),
      kmsKeyId: str(body, 'KmsKeyId'),
      created: now,
      changed: now,
      revision: 0,
      versions: {},
    };
    // Like AWS, the ClientRequestToken only names the first version; without a value there is no version.
    const versionId = value ? this.token(body) : undefined;
    if (value && versionId) secret.versions[versionId] = { ...this.newVersion(secret, versionId, value), stages: [CURRENT] };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: secret,
          ConditionExpression: 'attribute_not_exists(#n)',
          ExpressionAttributeNames: { '#n': 'name' },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw new AwsServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    return { ARN: secret.arn, Name: name, ...(versionId ? { VersionId: versionId } : {}) };
  }

  private token(body: Body): string {
    // The SDKs fill ClientRequestToken in; AWS requires raw callers to send one.
    const token = str(body, 'ClientRequestToken');
    if (!token || !tokenPattern.test(token)) throw invalid('ClientRequestToken must be 32–64 letters, digits or dashes.');
    return token;
  }

  /** DescribeSecret: VersionIdsToStages lists only versions with a label (unlabelled ones are deprecated in AWS). */
  async describeSecret(body: Body): Promise<Body> {
    const secret = await this.load(str(body, 'SecretId'));
    if (!secret) throw notFound();
    const labelled = Object.entries(secret.versions).filter(([, v]) => v.stages.length > 0);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description ? { Description: secret.description } : {}),
      ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
      CreatedDate: seconds(secret.created),
      LastChangedDate: seconds(secret.changed),
      VersionIdsToStages: Object.fromEntries(labelled.map(([id, v]) => [id, v.stages])),
    };
  }

  /**
   * PutSecretValue, with AWS's rules:
   * - ClientRequestToken is the new version's id; repeating it with the same value changes nothing
   *   (idempotent), with a different value fails with ResourceExistsException (versions never change);
   * - VersionStages defaults to AWSCURRENT; each label given is moved here from any other version;
   * - the first version of a secret also gets AWSCURRENT, whatever VersionStages says.
   */
  async putSecretValue(body: Body): Promise<Body> {
    const versionId = this.token(body);
    const value = this.value(body);
    if (!value) throw invalid('You must provide either SecretString or SecretBinary.');
    const requested = body.VersionStages === undefined ? [CURRENT] : body.VersionStages;
    if (!Array.isArray(requested) || requested.length === 0 || !requested.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 256)) {
      throw invalid('VersionStages must list 1–20 staging labels.');
    }
    return this.update(str(body, 'SecretId'), (secret) => {
      const existing = secret.versions[versionId];
      if (existing) {
        const same = existing.kind === value.kind && this.open(secret.name, versionId, existing.sealed).equals(value.plain);
        if (!same) throw new AwsServiceError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
        return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: existing.stages };
      }
      const first = Object.keys(secret.versions).length === 0;
      secret.versions[versionId] = this.newVersion(secret, versionId, value);
      for (const stage of new Set([...(requested as string[]), ...(first ? [CURRENT] : [])])) LocalSecretsManager.attach(secret, versionId, stage);
      secret.revision += 1;
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: secret.versions[versionId]?.stages ?? [] };
    });
  }

  /** GetSecretValue: by VersionId, by VersionStage, or AWSCURRENT; VersionId and VersionStage together must name the same version. */
  async getSecretValue(body: Body): Promise<Body> {
    const secret = await this.load(str(body, 'SecretId'));
    if (!secret) throw notFound();
    const byId = str(body, 'VersionId');
    const stage = str(body, 'VersionStage');
    const versionId = byId ?? LocalSecretsManager.holder(secret, stage ?? CURRENT);
    const version = versionId ? secret.versions[versionId] : undefined;
    if (!versionId || !version) {
      throw notFound(`Secrets Manager can't find the specified secret value for ${byId ? `VersionId: ${byId}` : `staging label: ${stage ?? CURRENT}`}`);
    }
    if (byId && stage && !version.stages.includes(stage)) {
      throw new AwsServiceError('InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.');
    }
    const plain = this.open(secret.name, versionId, version.sealed);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: versionId,
      VersionStages: version.stages,
      CreatedDate: seconds(version.created),
      ...(version.kind === 'S' ? { SecretString: plain.toString('utf8') } : { SecretBinary: plain.toString('base64') }),
    };
  }

  /**
   * UpdateSecretVersionStage, with AWS's validation: RemoveFromVersionId must be a version that holds
   * the label; moving a label that another version holds needs RemoveFromVersionId naming that
   * version (else InvalidParameterException); moving AWSCURRENT moves AWSPREVIOUS to where it was.
   */
  async updateSecretVersionStage(body: Body): Promise<Body> {
    const stage = str(body, 'VersionStage');
    const moveTo = str(body, 'MoveToVersionId');
    const removeFrom = str(body, 'RemoveFromVersionId');
    if (!stage) throw invalid('VersionStage is required.');
    if (!moveTo && !removeFrom) throw invalid('Specify MoveToVersionId, RemoveFromVersionId, or both.');
    return this.update(str(body, 'SecretId'), (secret) => {
      if (moveTo && !secret.versions[moveTo]) throw invalid(`Not a valid version: ${moveTo}`);
      if (removeFrom && !secret.versions[removeFrom]) throw invalid(`Not a valid version: ${removeFrom}`);
      const holder = LocalSecretsManager.holder(secret, stage);
      if (removeFrom && holder !== removeFrom) throw invalid(`Version stage ${stage} is not attached to version ${removeFrom}.`);
      if (moveTo && holder && holder !== moveTo && holder !== removeFrom) {
        throw invalid(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (moveTo === holder && (!removeFrom || removeFrom === moveTo)) return { ARN: secret.arn, Name: secret.name }; // already there
      if (moveTo) LocalSecretsManager.attach(secret, moveTo, stage);
      else if (removeFrom) LocalSecretsManager.detach(secret, removeFrom, stage);
      secret.revision += 1;
      return { ARN: secret.arn, Name: secret.name };
    });
  }

  // ── The AWS JSON 1.1 endpoint ────────────────────────────────────────────────────────────────

  /** Serves the protocol on 127.0.0.1 (AWS_ENDPOINT_URL_SECRETS_MANAGER); returns the endpoint URL. */
  async listen(port = 0): Promise<string> {
    this.endpoint = await listenAwsJson({
      port,
      targetPrefix: 'secretsmanager',
      contentType: 'application/x-amz-json-1.1',
      operations: {
        CreateSecret: (body) => this.createSecret(body as Body),
        DescribeSecret: (body) => this.describeSecret(body as Body),
        PutSecretValue: (body) => this.putSecretValue(body as Body),
        GetSecretValue: (body) => this.getSecretValue(body as Body),
        UpdateSecretVersionStage: (body) => this.updateSecretVersionStage(body as Body),
      },
      // An unexpected error (e.g. DynamoDB Local unreachable) is reported by name only: its message is not ours to vouch for.
      internal: (error) => ({ __type: 'InternalServiceError', message: `Internal error (${error.name}).` }),
    });
    return this.endpoint.url;
  }

  async stop(): Promise<void> {
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    await endpoint?.close();
  }
}
