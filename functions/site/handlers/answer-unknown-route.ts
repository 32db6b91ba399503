import { MethodNotAllowedError } from '#core/errors';
import { httpHandler } from '#adapters/handler';
import { allowResponse, type HttpEvent, type HttpResult, requestedMethod } from '#adapters/http';
import { routeRequest } from '#adapters/request-checks';

/**
 * The HTTP API's `$default` route, in AWS and in the local host: every request no route matches.
 * An unknown address is a 404 page with the way home (JSON for API clients) instead of API Gateway's
 * bare `{"message":"Not Found"}`; a method the address does not answer is a 405 with Allow; OPTIONS
 * is a 204 with Allow and no CORS (the app is same-origin only). The request checks ran first, so
 * a malformed address is already a 400. Public: it reads nothing and its role reaches no data.
 */
export async function answerUnknownRoute(event: HttpEvent): Promise<HttpResult> {
  const method = requestedMethod(event);
  const answer = routeRequest(method, event.rawPath);
  if (answer.kind === 'refused') throw answer.refusal;
  if (answer.kind === 'options') return allowResponse(answer.allow);
  // A method the catalogue serves came here all the same: this host has no route for it (in AWS, a
  // HEAD: the HTTP API declares only the catalogue's GET and POST routes), so it answers the others.
  const allow = answer.allow.filter((m) => m !== method);
  throw new MethodNotAllowedError(`This address does not answer ${method} requests here; it answers ${allow.join(', ')}.`, allow);
}

export const handler = httpHandler(answerUnknownRoute);
