import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { type HttpEvent, type HttpResult, httpErrors, requestChecks } from '#adapters/http';
import { logger } from '#adapters/logger';

/**
 * The fixed middleware order for every function: logger context (never the event) → request checks
 * (malformed address, body size, cross-site POST; HEAD as GET) → error mapping → the plain handler.
 * Middy runs onError in reverse, so the error mapping answers the checks' refusals too, and a HEAD's
 * answer, refusal or not, loses its body after. Handlers export the plain function for tests and
 * this as `handler`.
 */
export function httpHandler(fn: (event: HttpEvent) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(requestChecks())
    .use(httpErrors(logger))
    .handler((event) => fn(event));
}

export function taskHandler<I, O>(fn: (input: I) => Promise<O>) {
  return middy<I, O, Error, Context>()
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .handler((input) => fn(input));
}

/**
 * The HTTP API Lambda authorizer: logger context only. It never throws (an authorizer error is a bare
 * 500 on every route), so it has no error mapping: it answers for every input itself.
 */
export function authorizerHandler<I, O>(fn: (event: I) => Promise<O>) {
  return taskHandler(fn);
}
