import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { documentClient } from '#adapters/dynamo-client';
import { type FunctionAccess, type FunctionKey, functions } from '#catalogue';
import { refusal, type TableGrant, tableGrant } from '../../functions/table-access.ts';

/**
 * The local host's IAM for the governance table: every DynamoDB call a catalogue function makes is
 * checked against its catalogue access (functions/table-access.ts, the rule the AWS roles are written
 * from) and refused as AWS would refuse it, with an AccessDeniedException. So a function that needs an
 * action, a write key or a record write its entry does not grant fails in every tier of tests, not
 * first in AWS. Calls made outside a function (the local host's own set-up and seeding) are not checked.
 */
const running = new AsyncLocalStorage<FunctionKey>();
const grants = new Map<FunctionKey, TableGrant | undefined>(
  (Object.entries(functions) as [FunctionKey, (typeof functions)[FunctionKey]][]).map(([key, spec]) => [key, tableGrant(key, spec.access as FunctionAccess)]),
);

/** Runs `work` as catalogue function `key`: its DynamoDB calls are checked against its access. */
export function asFunction<T>(key: FunctionKey, work: () => T): T {
  return running.run(key, work);
}

type Input = Record<string, unknown>;
const pkOf = (item: unknown): string => {
  const pk = (item as Input | undefined)?.PK;
  return typeof pk === 'object' && pk !== null && 'S' in pk ? String((pk as { S: unknown }).S) : String(pk);
};

/** The IAM action(s) a command is authorized as, each with the partition keys it names. */
export function authorizedAs(commandName: string, input: Input): { action: string; partitionKeys: string[] }[] {
  const name = commandName.replace(/Command$/, '');
  const one = (action: string, item?: unknown) => [{ action: `dynamodb:${action}`, partitionKeys: item === undefined ? [] : [pkOf(item)] }];
  switch (name) {
    case 'Get':
    case 'GetItem':
      return one('GetItem', input.Key);
    case 'Put':
    case 'PutItem':
      return one('PutItem', input.Item);
    case 'Update':
    case 'UpdateItem':
      return one('UpdateItem', input.Key);
    case 'Delete':
    case 'DeleteItem':
      return one('DeleteItem', input.Key);
    case 'Query':
      return one('Query');
    case 'BatchGet':
    case 'BatchGetItem': {
      const requests = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>);
      return [{ action: 'dynamodb:BatchGetItem', partitionKeys: requests.flatMap((r) => (r.Keys ?? []).map(pkOf)) }];
    }
    case 'BatchWrite':
    case 'BatchWriteItem': {
      const requests = Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]>);
      return [{ action: 'dynamodb:BatchWriteItem', partitionKeys: requests.flat().map((r) => pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key)) }];
    }
    case 'TransactWrite':
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Input[]).flatMap((t) =>
        t.Put
          ? one('PutItem', (t.Put as Input).Item)
          : t.Update
            ? one('UpdateItem', (t.Update as Input).Key)
            : t.Delete
              ? one('DeleteItem', (t.Delete as Input).Key)
              : one('ConditionCheckItem', (t.ConditionCheck as Input | undefined)?.Key),
      );
    case 'TransactGet':
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Input[]).flatMap((t) => one('GetItem', (t.Get as Input | undefined)?.Key));
    default:
      return one(name);
  }
}

let installed = false;
/** Survey mode, for a developer choosing a new function's access: every call is written to this file and none refused. */
const surveyFile = process.env.LOCAL_TABLE_ACCESS_SURVEY;

/** Adds the check to the functions' DynamoDB client (once per process). */
export function installTableAccessCheck(): void {
  if (installed) return;
  installed = true;
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const key = running.getStore();
      if (key !== undefined) {
        for (const { action, partitionKeys } of authorizedAs(context.commandName ?? '', args.input as Input)) {
          const why = refusal(grants.get(key), action, partitionKeys);
          if (surveyFile) appendFileSync(surveyFile, `${JSON.stringify({ key, action, prefixes: partitionKeys.map((pk) => pk.split('#')[0]), why })}\n`);
          else if (why) {
            const error = new Error(`Local IAM: function ${key} is not authorized to perform ${action}: ${why}.`);
            error.name = 'AccessDeniedException';
            // Also on stderr, so a refusal the code catches and answers around is still seen.
            console.error(error.message);
            throw error;
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'catalogueTableAccess', priority: 'high' },
  );
}
