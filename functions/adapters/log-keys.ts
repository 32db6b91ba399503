/**
 * The keys that tie an invocation's log lines together (the handler wrappers append them,
 * adapters/handler.ts): `correlationId`, the id of the request, offboarding or review it is about,
 * and for an HTTP request `apiRequestId`, API Gateway's id of it. Pure: what an event says, never
 * what the table does. Only opaque ids pass (a bounded pattern), so nothing here can put a URL, a
 * query string, a link secret or a task token on a line: the secret rides in the query string and
 * the token in its own field, neither of which is read here.
 */
export interface LogKeys {
  correlationId?: string;
  apiRequestId?: string;
}

/** The ids this app makes: a request's (`NA-20250301-…`), an offboarding's, a review's, a link's. */
const idPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
/** API Gateway's request ids (base64-ish) and the local host's (UUIDs). */
const apiRequestIdPattern = /^[A-Za-z0-9+/=_.:-]{1,128}$/;

/** What a state machine task's input names (statemachines/*.asl.json), first found first. */
const taskIdFields = ['requestId', 'offboardingId', 'reviewId'] as const;

/**
 * The path parameters that name what an HTTP request is about (the catalogue's routes). An approval
 * or task link's id is not a secret (its secret is the query string's `s`, never read here); a
 * handler that verifies the link re-keys the lines that follow to the request or offboarding.
 */
const pathIdFields = ['requestId', 'offboardingId', 'reviewId', 'approvalId', 'taskId'] as const;

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An id fit for a log line, or undefined. */
export function loggableId(value: unknown): string | undefined {
  return typeof value === 'string' && idPattern.test(value) ? value : undefined;
}

function idAmong(fields: Fields, names: readonly string[]): string | undefined {
  for (const name of names) {
    const id = loggableId(fields[name]);
    if (id) return id;
  }
  return undefined;
}

const only = (keys: LogKeys): LogKeys => Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as LogKeys;

/**
 * A task's or an event's keys: `requestId`, `offboardingId` or `reviewId` at its top level, else one
 * level down (an object field holding one). An API Gateway-shaped `requestContext` is not looked
 * into: its `requestId` is API Gateway's, not a request's. Arrays (SQS and SNS `Records`) are not
 * either: a batch's records are each their own, and their handlers key them one at a time.
 */
export function taskLogKeys(input: unknown): LogKeys {
  if (!isFields(input)) return {};
  const top = idAmong(input, taskIdFields);
  if (top) return { correlationId: top };
  for (const [name, value] of Object.entries(input)) {
    if (name === 'requestContext' || !isFields(value)) continue;
    const nested = idAmong(value, taskIdFields);
    if (nested) return { correlationId: nested };
  }
  return {};
}

/** The API Gateway request id of an HTTP API event (the Lambda authorizer's too), or undefined. */
export function apiRequestIdOf(event: unknown): string | undefined {
  const context = isFields(event) ? event.requestContext : undefined;
  const id = isFields(context) ? context.requestId : undefined;
  return typeof id === 'string' && apiRequestIdPattern.test(id) ? id : undefined;
}

/** An HTTP API event's keys: the path's id where its route has one, and API Gateway's request id. */
export function httpLogKeys(event: { pathParameters?: Record<string, string | undefined> | null; requestContext?: unknown }): LogKeys {
  const params = isFields(event.pathParameters) ? event.pathParameters : {};
  return only({ correlationId: idAmong(params, pathIdFields), apiRequestId: apiRequestIdOf(event) });
}

/** The Lambda authorizer's keys: it answers for an HTTP request before any route, so only its id. */
export function authorizerLogKeys(event: unknown): LogKeys {
  return only({ apiRequestId: apiRequestIdOf(event) });
}
