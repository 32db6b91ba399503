import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type FunctionKey, functions } from '#catalogue';
import { asFunction, installTableAccessCheck } from '#local/table-access-check';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Loads each catalogue function's `handler` export (the same middy-wrapped module Lambda runs) and
 * invokes it in-process with a Lambda-like context. Import only after the environment is set:
 * modules create their SDK clients at import.
 */
export async function loadFunctions(): Promise<(key: FunctionKey, event: unknown) => Promise<unknown>> {
  // Each function's DynamoDB calls are held to its catalogue access, as its role holds them in AWS.
  installTableAccessCheck();
  // The same metrics as in AWS, kept off stdout unless a developer sets POWERTOOLS_METRICS_DISABLED=false (read as modules load).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const loaded = new Map<FunctionKey, Handler>();
  for (const [key, spec] of Object.entries(functions) as [FunctionKey, (typeof functions)[FunctionKey]][]) {
    // The AWS Lambda authorizer: locally the development sign-in stands in for it.
    if ('authorizer' in spec && spec.authorizer) continue;
    const mod = (await import(new URL(`../../${spec.entry}`, import.meta.url).href)) as { handler?: Handler };
    if (typeof mod.handler !== 'function') throw new Error(`${spec.entry} exports no handler`);
    loaded.set(key, mod.handler);
  }
  return async (key, event) => {
    const handler = loaded.get(key);
    if (!handler) throw new Error(`No local function ${key}`);
    const started = Date.now();
    const timeoutMs = ('timeoutSeconds' in functions[key] ? (functions[key] as { timeoutSeconds: number }).timeoutSeconds : 10) * 1000;
    const context = {
      functionName: key,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${key}`,
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${key}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    return asFunction(key, () => handler(event, context));
  };
}
