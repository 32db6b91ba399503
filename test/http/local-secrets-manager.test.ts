import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalSecretsManager } from '../../infra/local/secrets-manager.ts';

/**
 * The local Secrets Manager through the real @aws-sdk/client-secrets-manager, on the shared
 * DynamoDB Local: the credential vault adapter end to end, and the AWS rules the double mirrors.
 */

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tableName = `local-secrets-manager-${randomBytes(6).toString('hex')}`;
const key = randomBytes(32);
const dynamo = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region, credentials });

let local: LocalSecretsManager;
let endpoint: string;
let sm: SecretsManagerClient;
let vault: typeof import('../../functions/adapters/vault.ts').vault;

const clientFor = (url: string) => new SecretsManagerClient({ endpoint: url, region, credentials, maxAttempts: 1 });
const newAccount = () => `acct-${randomBytes(4).toString('hex')}`;
const newSecret = async () => (await sm.send(new CreateSecretCommand({ Name: `test/${randomBytes(6).toString('hex')}` }))).Name as string;
const password = () => `Pw-${randomBytes(12).toString('base64url')}!`;
/** The error a call fails with (and a failed assertion when it succeeds). */
const rejection = (call: Promise<unknown>) =>
  call.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  );
const stagesOf = async (name: string, client = sm) => (await client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;

beforeAll(async () => {
  local = new LocalSecretsManager(dynamo, key, tableName);
  await local.ensureTable();
  endpoint = await local.listen();
  sm = clientFor(endpoint);
  // The function environment, as infra/local/stack.ts sets it, before the adapter is first used.
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    TABLE_NAME: 'governance-test',
    PUBLIC_BASE_URL: 'https://example.test',
    MAIL_FROM: 'governance@example.test',
    DTI_EMAIL: 'dti@example.test',
  });
  delete process.env.VAULT_KMS_KEY_ID;
  delete process.env.VAULT_SECRET_PREFIX;
  ({ vault } = await import('../../functions/adapters/vault.ts'));
});

afterAll(async () => {
  await local?.stop();
  sm?.destroy();
});

describe('the credential vault on the local Secrets Manager', () => {
  it('stages, reads and promotes passwords through their life cycle', async () => {
    const account = newAccount();
    const [v1, v2] = [randomUUID(), randomUUID()];
    const [p1, p2] = [password(), password()];
    const name = vault.secretName(account);

    expect(await vault.versions(account)).toEqual({});
    expect(await vault.readVersion(account, v1)).toBeUndefined();

    expect(await vault.stagePending(account, v1, p1)).toBe(true);
    // As AWS documents, the first version of a secret also gets AWSCURRENT.
    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSPENDING', 'AWSCURRENT'] });
    expect(await vault.readVersion(account, v1)).toBe(p1);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.KmsKeyId).toBeUndefined();
    expect(described.Name).toBe(`social-media/${account}`);

    await vault.promote(account, v1);
    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSCURRENT'] });

    expect(await vault.stagePending(account, v2, p2)).toBe(true);
    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(p1);

    await vault.promote(account, v2);
    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(p2);

    // Repeats change nothing: a second promote, and a second stage with another value.
    await vault.promote(account, v2);
    expect(await vault.stagePending(account, v2, password())).toBe(false);
    expect(await vault.readVersion(account, v2)).toBe(p2);
    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
  });

  it('refuses to promote an unknown version, without any password in the error', async () => {
    const account = newAccount();
    const secret = password();
    await vault.stagePending(account, randomUUID(), secret);
    const unknown = randomUUID();

    const error = await rejection(vault.promote(account, unknown));

    expect(error).toMatchObject({ name: 'NotFoundError' });
    expect(error.message).toContain(unknown);
    expect(error.message).not.toContain(secret);
    await expect(vault.promote(newAccount(), unknown)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('does not re-stage a superseded version when the same value is sent again', async () => {
    const account = newAccount();
    const [v1, v2, v3] = [randomUUID(), randomUUID(), randomUUID()];
    const p2 = password();
    await vault.stagePending(account, v1, password());
    await vault.promote(account, v1);
    await vault.stagePending(account, v2, p2);
    await vault.stagePending(account, v3, password()); // AWSPENDING moves to v3; v2 keeps no label

    expect(await vault.stagePending(account, v2, p2)).toBe(false);
    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSCURRENT'], [v3]: ['AWSPENDING'] });
  });
});

describe('the local Secrets Manager mirrors AWS', () => {
  it('moves AWSPENDING to the newest version put with it, and keeps the version it left readable by id', async () => {
    const name = await newSecret();
    const [v1, v2, v3, v4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v1, SecretString: 'one' }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v2, SecretString: 'two', VersionStages: ['AWSPENDING'] }));
    const put = await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v3, SecretString: 'three', VersionStages: ['AWSPENDING'] }));

    expect(put.VersionStages).toEqual(['AWSPENDING']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [v3]: ['AWSPENDING'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v2 }))).SecretString).toBe('two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).SecretString).toBe('three');

    // Without VersionStages a new value becomes AWSCURRENT, and AWSPREVIOUS goes to the version it left.
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v4, SecretString: 'four' }));
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v3]: ['AWSPENDING'], [v4]: ['AWSCURRENT'] });
  });

  it('treats a repeated ClientRequestToken as the same version: same value ignored, another value refused', async () => {
    const name = await newSecret();
    const v1 = randomUUID();
    const first = await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v1, SecretString: 'alpha', VersionStages: ['AWSPENDING'] }));
    const again = await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v1, SecretString: 'alpha', VersionStages: ['AWSPENDING'] }));

    expect(again.VersionId).toBe(first.VersionId);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPENDING', 'AWSCURRENT'] });

    const conflict = sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v1, SecretString: 'bravo-different' }));
    await expect(conflict).rejects.toBeInstanceOf(ResourceExistsException);
    const error = await rejection(conflict);
    expect(error.message).not.toContain('bravo-different');
    expect(error.message).not.toContain('alpha');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }))).SecretString).toBe('alpha');
  });

  it('validates label moves as AWS does', async () => {
    const name = await newSecret();
    const [v1, v2, v3] = [randomUUID(), randomUUID(), randomUUID()];
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v1, SecretString: 'one' }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v2, SecretString: 'two', VersionStages: ['AWSPENDING'] }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: v3, SecretString: 'three', VersionStages: ['OTHER'] }));
    const move = (input: { VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) =>
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, ...input }));

    // A label held by another version needs RemoveFromVersionId naming exactly that version.
    await expect(move({ VersionStage: 'AWSCURRENT', MoveToVersionId: v2 })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(move({ VersionStage: 'AWSCURRENT', MoveToVersionId: v2, RemoveFromVersionId: v3 })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(move({ VersionStage: 'AWSPENDING', RemoveFromVersionId: v1 })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(move({ VersionStage: 'AWSCURRENT', MoveToVersionId: randomUUID(), RemoveFromVersionId: v1 })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'], [v3]: ['OTHER'] });

    await move({ VersionStage: 'AWSCURRENT', MoveToVersionId: v2, RemoveFromVersionId: v1 });
    await move({ VersionStage: 'AWSPENDING', RemoveFromVersionId: v2 });
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'], [v3]: ['OTHER'] });

    // VersionId and VersionStage together must name the same version.
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSCURRENT' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: randomUUID() }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(sm.send(new CreateSecretCommand({ Name: name }))).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(sm.send(new DescribeSecretCommand({ SecretId: `${name}-missing` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('finds a secret by its ARN as well as by its name', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: `test/${randomBytes(6).toString('hex')}`, SecretString: 'by-arn' }));

    expect((await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toBe('by-arn');
    expect(created.VersionId).toBeDefined();
  });

  it('keeps every value encrypted at rest', async () => {
    const account = newAccount();
    const secret = password();
    await vault.stagePending(account, randomUUID(), secret);

    const raw = JSON.stringify((await dynamo.send(new ScanCommand({ TableName: tableName }))).Items);

    expect(raw).toContain(vault.secretName(account));
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')]) {
      expect(raw).not.toContain(form);
    }
  });

  it('answers an operation it does not implement with a named error', async () => {
    const error = await rejection(sm.send(new ListSecretsCommand({})));

    expect(error.name).toBe('UnknownOperationException');
    expect(error.message).toContain('ListSecrets');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});

describe('a restart of the local stack', () => {
  it('keeps the versions for the same key, and cannot read them with another key', async () => {
    const account = newAccount();
    const [v1, v2] = [randomUUID(), randomUUID()];
    const [p1, p2] = [password(), password()];
    await vault.stagePending(account, v1, p1);
    await vault.promote(account, v1);
    await vault.stagePending(account, v2, p2);
    const name = vault.secretName(account);

    // Stop the first host; a new one on the same port, table and key serves the same secrets.
    await local.stop();
    const port = Number(new URL(endpoint).port);
    local = new LocalSecretsManager(dynamo, key, tableName);
    await local.ensureTable();
    await local.listen(port);

    expect(await vault.versions(account)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
    expect(await vault.readVersion(account, v1)).toBe(p1);
    expect(await vault.readVersion(account, v2)).toBe(p2);

    const otherKey = new LocalSecretsManager(dynamo, randomBytes(32), tableName);
    const otherClient = clientFor(await otherKey.listen());
    try {
      const error = await rejection(otherClient.send(new GetSecretValueCommand({ SecretId: name })));
      expect(error.name).toBe('DecryptionFailure');
      expect(error.message).not.toContain(p1);
      // The labels are not secret: they stay readable.
      expect(await stagesOf(name, otherClient)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
    } finally {
      otherClient.destroy();
      await otherKey.stop();
    }
  });
});
