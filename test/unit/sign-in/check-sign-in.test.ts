import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotInDirectoryError } from '#core/errors';
import { setFunctionEnv } from '../env.ts';
import { lambdaContext } from '../events.ts';
import { mockPeople, person } from '../fixtures.ts';

type Module = typeof import('#sign-in/handlers/check-sign-in');
let checkSignIn: Module['checkSignIn'];
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ checkSignIn, handler } = await import('#sign-in/handlers/check-sign-in'));
});

/** What Cognito sends the Pre Token Generation trigger for a federated sign-in through managed login. */
function preTokenEvent(email: string | undefined): PreTokenGenerationTriggerEvent {
  return {
    version: '1',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'us-west-2',
    userPoolId: 'us-west-2_Pool',
    userName: 'CityOfAlbuquerque_ana',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    request: { userAttributes: email ? { email, sub: 'sub-1' } : { sub: 'sub-1' }, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] } },
    response: { claimsOverrideDetails: {} },
  } as PreTokenGenerationTriggerEvent;
}

const ana = person('E102');
const tom = { ...person('E103'), separatedOn: '2026-12-01' };
const peopleIndex = { IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'PEOPLE' } };

describe('check-sign-in (Pre Token Generation trigger)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);

  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    mockPeople(ddb, [ana, tom]);
    ddb.on(QueryCommand, peopleIndex).resolves({ Count: 1 });
    delete process.env.FIRST_ADMIN_EMAILS;
  });

  afterEach(() => {
    delete process.env.FIRST_ADMIN_EMAILS;
  });

  it('returns the event unchanged for a directory person, so Cognito issues the tokens', async () => {
    const event = preTokenEvent('AGallegos@cabq.example');
    expect(await handler(event, lambdaContext)).toEqual(preTokenEvent('AGallegos@cabq.example'));
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'EMAIL#agallegos@cabq.example' } });
    // Only a first administrator's sign-in asks whether the directory is empty.
    expect(ddb).not.toHaveReceivedCommandWith(QueryCommand, peopleIndex);
  });

  it('refuses an email the directory does not know, saying to ask DTI', async () => {
    const refusal = handler(preTokenEvent('nobody@cabq.example'), lambdaContext);
    await expect(refusal).rejects.toBeInstanceOf(NotInDirectoryError);
    await expect(refusal).rejects.toThrow('nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.');
  });

  it('refuses a separated person, with the date', async () => {
    const refusal = checkSignIn(preTokenEvent(tom.email));
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refusal).rejects.toThrow('Tom Sandoval separated from the City on 2026-12-01 and can no longer use this service.');
  });

  it('refuses a sign-in that carries no email', async () => {
    await expect(checkSignIn(preTokenEvent(undefined))).rejects.toThrow(
      'Your City account did not send an email address, so the directory cannot find you. Ask DTI to check the sign-in set-up.',
    );
  });

  it('lets a first administrator in while the directory is empty, with one Limit 1 Query of the people index', async () => {
    process.env.FIRST_ADMIN_EMAILS = 'someone@cabq.example, DTI.Admin@cabq.example';
    ddb.on(QueryCommand, peopleIndex).resolves({ Count: 0, Items: [] });
    const event = preTokenEvent('dti.admin@cabq.example');
    expect(await checkSignIn(event)).toBe(event);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'GSI2',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'GSI2PK' },
      ExpressionAttributeValues: { ':pk': 'PEOPLE' },
      Limit: 1,
    });
  });

  it('refuses that first administrator once the directory has people, and anyone else while it is empty', async () => {
    process.env.FIRST_ADMIN_EMAILS = 'dti.admin@cabq.example';
    await expect(checkSignIn(preTokenEvent('dti.admin@cabq.example'))).rejects.toThrow(
      'dti.admin@cabq.example is not in the social media governance directory. Ask DTI to add you.',
    );
    ddb.on(QueryCommand, peopleIndex).resolves({ Count: 0, Items: [] });
    await expect(checkSignIn(preTokenEvent('nobody@cabq.example'))).rejects.toBeInstanceOf(NotInDirectoryError);
  });

  it('reads the directory through the port it is given, when given one', async () => {
    const asked: string[] = [];
    const directory = {
      personByEmail: async (email: string) => {
        asked.push(email);
        return ana;
      },
      hasPeople: async () => true,
    };
    await checkSignIn(preTokenEvent(ana.email), directory);
    expect(asked).toEqual([ana.email]);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
