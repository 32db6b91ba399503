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
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setFunctionEnv } from '../env.ts';

type Module = typeof import('#adapters/vault');
let vault: Module['vault'];

const kmsKeyId = 'arn:aws:kms:us-west-2:123456789012:key/1111aaaa-22bb-33cc-44dd-555555eeeeee';

beforeAll(async () => {
  setFunctionEnv();
  process.env.VAULT_KMS_KEY_ID = kmsKeyId;
  delete process.env.VAULT_SECRET_PREFIX;
  ({ vault } = await import('#adapters/vault'));
});

const accountId = 'acct-2024-0042';
const secretName = `social-media/${accountId}`;
const oldVersion = '0b5e4c1a-6f0e-4a8e-9d47-3c1f2b8a9e10';
const newVersion = '7d2c9f4e-1b3a-4c5d-8e6f-a0b1c2d3e4f5';
const password = 'Tq7#hN2-wXp9=Lk4@Rz8^Mv3';

const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });

describe('credential vault', () => {
  const sm = mockClient(SecretsManagerClient);

  beforeEach(() => {
    sm.reset();
  });

  it('names the secret after the account under the configured prefix', () => {
    expect(vault.secretName(accountId)).toBe(secretName);
  });

  it('creates the secret with the vault KMS key on first use, then stages the password AWSPENDING under the version id', async () => {
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ Name: secretName });
    sm.on(PutSecretValueCommand).resolves({ VersionId: newVersion, VersionStages: ['AWSPENDING', 'AWSCURRENT'] });

    expect(await vault.stagePending(accountId, newVersion, password)).toBe(true);

    expect(sm).toHaveReceivedCommandExactlyOnceWith(CreateSecretCommand, { Name: secretName, KmsKeyId: kmsKeyId });
    const created = sm.commandCalls(CreateSecretCommand)[0]?.args[0].input;
    expect(created?.SecretString).toBeUndefined();
    expect(created?.Tags).toBeUndefined();
    expect(sm).toHaveReceivedCommandExactlyOnceWith(PutSecretValueCommand, {
      SecretId: secretName,
      ClientRequestToken: newVersion,
      SecretString: password,
      VersionStages: ['AWSPENDING'],
    });
    // The secret must exist before its first value goes in.
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeSecretCommand', 'CreateSecretCommand', 'PutSecretValueCommand']);
  });

  it('stages a new version into an existing secret without creating it again', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'] } });
    sm.on(PutSecretValueCommand).resolves({ VersionId: newVersion, VersionStages: ['AWSPENDING'] });

    expect(await vault.stagePending(accountId, newVersion, password)).toBe(true);

    expect(sm).toHaveReceivedCommandTimes(CreateSecretCommand, 0);
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { ClientRequestToken: newVersion, VersionStages: ['AWSPENDING'] });
  });

  it('leaves an existing version alone and does not send the password again', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'], [newVersion]: ['AWSPENDING'] } });

    expect(await vault.stagePending(accountId, newVersion, 'a-different-password')).toBe(false);

    expect(sm).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
    expect(sm).toHaveReceivedCommandTimes(CreateSecretCommand, 0);
  });

  it('reports a version that exists unlabelled with another value as already there (ResourceExistsException)', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'] } });
    sm.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: "You can't modify an existing version.", $metadata: {} }));

    expect(await vault.stagePending(accountId, newVersion, password)).toBe(false);
  });

  it('reports a repeat that AWS ignored (the version did not become AWSPENDING) as not staged', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'] } });
    sm.on(PutSecretValueCommand).resolves({ VersionId: newVersion, VersionStages: [] });

    expect(await vault.stagePending(accountId, newVersion, password)).toBe(false);
  });

  it('refuses an account id that could reach outside the prefix, before calling AWS', async () => {
    await expect(vault.stagePending('../other', newVersion, password)).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(vault.stagePending(accountId, 'short', password)).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  it('reads one version by its id', async () => {
    sm.on(GetSecretValueCommand, { SecretId: secretName, VersionId: newVersion }).resolves({ SecretString: password, VersionId: newVersion });

    expect(await vault.readVersion(accountId, newVersion)).toBe(password);
  });

  it('reads undefined when the secret or the version does not exist', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());

    expect(await vault.readVersion(accountId, newVersion)).toBeUndefined();
  });

  it('passes other read failures on', async () => {
    sm.on(GetSecretValueCommand).rejects(new InvalidParameterException({ message: 'boom', $metadata: {} }));

    await expect(vault.readVersion(accountId, newVersion)).rejects.toThrow('boom');
  });

  it('promotes by moving AWSCURRENT from the old version, then removing AWSPENDING', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'], [newVersion]: ['AWSPENDING'] } });
    sm.on(UpdateSecretVersionStageCommand).resolves({ Name: secretName });

    await vault.promote(accountId, newVersion);

    expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: secretName, VersionStage: 'AWSCURRENT', MoveToVersionId: newVersion, RemoveFromVersionId: oldVersion },
      { SecretId: secretName, VersionStage: 'AWSPENDING', RemoveFromVersionId: newVersion },
    ]);
  });

  it('promotes the first version (already AWSCURRENT) by removing AWSPENDING only', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [newVersion]: ['AWSPENDING', 'AWSCURRENT'] } });
    sm.on(UpdateSecretVersionStageCommand).resolves({ Name: secretName });

    await vault.promote(accountId, newVersion);

    expect(sm).toHaveReceivedCommandExactlyOnceWith(UpdateSecretVersionStageCommand, { VersionStage: 'AWSPENDING', RemoveFromVersionId: newVersion });
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input.MoveToVersionId).toBeUndefined();
  });

  it('changes nothing when the version is current already', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSPREVIOUS'], [newVersion]: ['AWSCURRENT'] } });

    await vault.promote(accountId, newVersion);

    expect(sm).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
  });

  it('finishes a promotion that a concurrent call started (AWS refuses the stale RemoveFromVersionId)', async () => {
    sm.on(DescribeSecretCommand)
      .resolvesOnce({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'], [newVersion]: ['AWSPENDING'] } })
      .resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSPREVIOUS'], [newVersion]: ['AWSPENDING', 'AWSCURRENT'] } });
    sm.on(UpdateSecretVersionStageCommand, { VersionStage: 'AWSCURRENT' }).rejects(
      new InvalidParameterException({ message: `Version stage AWSCURRENT is not attached to version ${oldVersion}.`, $metadata: {} }),
    );
    sm.on(UpdateSecretVersionStageCommand, { VersionStage: 'AWSPENDING' }).resolves({ Name: secretName });

    await vault.promote(accountId, newVersion);

    expect(sm).toHaveReceivedLastCommandWith(UpdateSecretVersionStageCommand, { VersionStage: 'AWSPENDING', RemoveFromVersionId: newVersion });
  });

  it('refuses to promote a version that does not exist, naming the account and version but no password', async () => {
    const unknownVersion = 'ffffffff-0000-4000-8000-000000000000';
    sm.on(DescribeSecretCommand).resolves({ Name: secretName, VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'] } });
    sm.on(PutSecretValueCommand).resolves({ VersionId: newVersion, VersionStages: ['AWSPENDING'] });
    await vault.stagePending(accountId, newVersion, password);

    const error = await vault.promote(accountId, unknownVersion).catch((e: unknown) => e as Error);

    expect(error).toMatchObject({ name: 'NotFoundError', status: 404 });
    expect((error as Error).message).toContain(accountId);
    expect((error as Error).message).toContain(unknownVersion);
    expect((error as Error).message).not.toContain(password);
    expect(sm).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
  });

  it('refuses to promote when the secret does not exist', async () => {
    sm.on(DescribeSecretCommand).rejects(notFound());

    await expect(vault.promote(accountId, newVersion)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('lists versions with their labels, and none for a missing secret', async () => {
    sm.on(DescribeSecretCommand)
      .resolvesOnce({ VersionIdsToStages: { [oldVersion]: ['AWSCURRENT'] } })
      .rejects(notFound());

    expect(await vault.versions(accountId)).toEqual({ [oldVersion]: ['AWSCURRENT'] });
    expect(await vault.versions(accountId)).toEqual({});
  });
});
