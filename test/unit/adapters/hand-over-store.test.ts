import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setFunctionEnv } from '../env.ts';

type Module = typeof import('#adapters/hand-over-store');
let HandOverStore: Module['HandOverStore'];
const ddb = mockClient(DynamoDBDocumentClient);

beforeAll(async () => {
  setFunctionEnv();
  ({ HandOverStore } = await import('#adapters/hand-over-store'));
});
beforeEach(() => ddb.reset());

/**
 * Routing runs right after a directory change commits (a hand-over) or as a link is made: it reads
 * who holds each post now by key and strongly consistent. An eventually consistent read, or the
 * ROLES index, could still show the person who just left the post, and the move would find nothing to do.
 */
describe('HandOverStore: who holds a post now', () => {
  it('reads a department with ConsistentRead', async () => {
    ddb.on(GetCommand).resolves({ Item: { PK: 'DEPT#LIB', SK: 'PROFILE', code: 'LIB', name: 'Library', directorId: 'E201', designeeId: 'E200' } });
    expect(await new HandOverStore().departmentNow('LIB')).toEqual({ code: 'LIB', name: 'Library', directorId: 'E201', designeeId: 'E200' });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ Key: { PK: 'DEPT#LIB', SK: 'PROFILE' }, ConsistentRead: true });
  });

  it('reads the four City-wide roles by key with ConsistentRead, never the ROLES index, and leaves out a vacant one', async () => {
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, unknown> }) => ({
      Responses: {
        [Object.keys(input.RequestItems)[0] as string]: [
          { PK: 'ROLE#COMMUNICATIONS_DIRECTOR', SK: 'PROFILE', role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E501', designeeId: 'E502' },
          { PK: 'ROLE#CITY_CLERK_CONTACT', SK: 'PROFILE', role: 'CITY_CLERK_CONTACT', vacantSince: '2026-12-01T15:00:00.000Z' },
        ],
      },
    }));
    expect(await new HandOverStore().roleHoldersNow()).toEqual([{ role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E501', designeeId: 'E502' }]);
    const [request] = Object.values(ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems ?? {});
    expect(request).toEqual({
      ConsistentRead: true,
      Keys: [
        { PK: 'ROLE#COMMUNICATIONS_DIRECTOR', SK: 'PROFILE' },
        { PK: 'ROLE#APD_DIRECTOR_OF_COMMUNICATIONS', SK: 'PROFILE' },
        { PK: 'ROLE#COMMUNICATIONS_COORDINATOR', SK: 'PROFILE' },
        { PK: 'ROLE#CITY_CLERK_CONTACT', SK: 'PROFILE' },
      ],
    });
  });

  it('reads people with ConsistentRead, each id once', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: {} });
    await new HandOverStore().peopleById(['E201', 'E200', 'E201']);
    const [request] = Object.values(ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems ?? {});
    expect(request).toEqual({
      ConsistentRead: true,
      Keys: [
        { PK: 'PERSON#E201', SK: 'PROFILE' },
        { PK: 'PERSON#E200', SK: 'PROFILE' },
      ],
    });
  });
});
