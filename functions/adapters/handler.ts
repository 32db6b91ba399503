import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { type HttpEvent, type HttpResult, httpErrors, requestChecks } from '#adapters/http';
import { authorizerLogKeys, httpLogKeys, type LogKeys, loggableId, taskLogKeys } from '#adapters/log-keys';
import { logger } from '#adapters/logger';
import { metrics } from '#adapters/metrics';
import { tracer } from '#adapters/tracer';

/*
 * The fixed middleware order for every function: the trace segment → logger context (never the
 * event) → the invocation's log keys → the metrics flush → request checks (malformed address, body
 * size, cross-site POST; HEAD as GET) → error mapping → the plain handler. Middy runs onError in
 * reverse, so the error mapping answers the checks' refusals too, and a HEAD's answer, refusal or
 * not, loses its body after; the metrics are flushed and the keys reset after that, on every way
 * out. Handlers export the plain function for tests and this as `handler`. Both hosts run the
 * `handler` export (infra/local/functions.ts), so they emit the same metrics and log the same keys.
 */

/** The trace's segment, without the handler's response: a page or a task's output is no trace's business. */
const traced = () => captureLambdaHandler(tracer, { captureResponse: false });
const loggerContext = () => injectLambdaContext(logger, { logEvent: false, resetKeys: true });
/** Most invocations emit no metric: an empty flush is not an error. */
const metricsFlush = () => logMetrics(metrics, { throwOnEmptyMetrics: false });

/** Appends the keys the event names to every line of the invocation (the logger context resets them after). */
function logKeys<E, R>(keysOf: (event: E) => LogKeys): MiddlewareObj<E, R, Error, Context> {
  return {
    before: (request) => {
      const keys = keysOf(request.event);
      if (Object.keys(keys).length) logger.appendKeys({ ...keys });
    },
  };
}

/**
 * Keys the invocation's lines that follow to what it turned out to be about: a link's request or
 * offboarding once the link is verified, the record at hand in a batch. An id unfit for a log line,
 * or none, removes the key, so one record's id never stays on the next record's lines.
 */
export function correlate(id: string | undefined): void {
  const correlationId = loggableId(id);
  if (correlationId) logger.appendKeys({ correlationId });
  else logger.removeKeys(['correlationId']);
}

export function httpHandler(fn: (event: HttpEvent) => Promise<HttpResult>) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(traced())
    .use(loggerContext())
    .use(logKeys<HttpEvent, HttpResult>(httpLogKeys))
    .use(metricsFlush())
    .use(requestChecks())
    .use(httpErrors(logger))
    .handler((event) => fn(event));
}

/** The wrappers without request checks or error mapping: a task's, or the authorizer's, keyed by `keysOf`. */
function plainHandler<I, O>(fn: (input: I) => Promise<O>, keysOf: (input: I) => LogKeys) {
  return middy<I, O, Error, Context>()
    .use(traced())
    .use(loggerContext())
    .use(logKeys<I, O>(keysOf))
    .use(metricsFlush())
    .handler((input) => fn(input));
}

export function taskHandler<I, O>(fn: (input: I) => Promise<O>) {
  return plainHandler(fn, taskLogKeys);
}

/**
 * The HTTP API Lambda authorizer: no request checks and no error mapping. It never throws (an
 * authorizer error is a bare 500 on every route): it answers for every input itself. Its lines carry
 * the HTTP request's API Gateway id, as the route's function's lines do.
 */
export function authorizerHandler<I, O>(fn: (event: I) => Promise<O>) {
  return plainHandler(fn, authorizerLogKeys);
}
