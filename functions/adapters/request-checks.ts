import { type FunctionKey, functions, type RouteSpec } from '#catalogue';
import { ForbiddenError, type GovernanceError, MalformedAddressError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError } from '#core/errors';

/**
 * What every HTTP request must pass before any handler runs, the same in both hosts: the AWS
 * functions run `checkRequest` as middleware (adapters/handler.ts), the local host before it routes
 * (infra/local/http-api.ts). Where a request goes is here too, read from the catalogue: API Gateway
 * routes it in AWS, and what no route matches goes to the catalogue's default-route function, which
 * asks `routeRequest` what to answer (the local host asks the same). Pure and free of AWS and of the
 * environment, so the local host can load it before the functions' environment is set. A refusal is
 * a GovernanceError: the one error-mapping place (adapters/http.ts) turns it into a page or JSON.
 */

export const MAX_BODY_BYTES = 64 * 1024;

/** The little of a request the checks look at, as either host sees it. */
export interface RequestShape {
  method: string;
  /** The path as sent, still percent-encoded (API Gateway's `rawPath`). */
  path: string;
  /** Request headers, names in any case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body's size in bytes (a host that stops reading past the limit reports at least limit + 1). */
  bodyBytes: number;
  /** The origins the app itself is served from (see `ownOrigins`). */
  ownOrigins: readonly string[];
}

/** The app's own origins: where its emails link to, and the host name the request was sent to. */
export function ownOrigins(publicBaseUrl: string, domainName: string): string[] {
  return [new URL(publicBaseUrl).origin, `https://${domainName}`];
}

/** The refusal every request must not earn, or undefined when it may go on to its route. */
export function checkRequest(request: RequestShape): GovernanceError | undefined {
  return malformedAddress(request.path) ?? oversizedBody(request.bodyBytes) ?? crossSiteRefusal(request);
}

/** The path decoded, or undefined when its percent-encoding is malformed (`%ZZ`, a cut-off `%E0%A4%A`, overlong `%C0%AF`). */
export function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

function malformedAddress(path: string): GovernanceError | undefined {
  if (decodePath(path) !== undefined) return undefined;
  return new MalformedAddressError(
    'The address has malformed percent-encoding, so it cannot be opened. Check the link, or copy it again from the email it came in.',
  );
}

export function oversizedBody(bodyBytes: number): GovernanceError | undefined {
  if (bodyBytes <= MAX_BODY_BYTES) return undefined;
  return new PayloadTooLargeError(
    `The request body is larger than the 64 KiB limit (${MAX_BODY_BYTES} bytes). Shorten the longest answers and send the form again.`,
  );
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(headers: RequestShape['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(',') : v;
  return undefined;
}

/**
 * CSRF fence for every state-changing request, whatever credential it carries. The session cookie
 * is SameSite=Lax, so browsers already leave it off cross-site POSTs; this also refuses one a browser
 * says came from another site (Sec-Fetch-Site) or from any other origin (Origin), same-site ones and
 * opaque ("null") ones included. A request without either header (curl, an API client) is not a
 * browser acting on its own, and goes on.
 */
export function crossSiteRefusal(request: Pick<RequestShape, 'method' | 'headers' | 'ownOrigins'>): GovernanceError | undefined {
  if (safeMethods.has(request.method.toUpperCase())) return undefined;
  const site = header(request.headers, 'sec-fetch-site')?.trim().toLowerCase();
  const origin = header(request.headers, 'origin');
  if (site !== 'cross-site' && (origin === undefined || request.ownOrigins.includes(origin))) return undefined;
  return new ForbiddenError('This form was sent from another website, so it was refused. Open the form on the City site and send it from there.');
}

interface CompiledRoute {
  key: FunctionKey;
  spec: RouteSpec;
  pattern: RegExp;
  params: string[];
}

/** The catalogue's routes, literal paths before templated ones (API Gateway prefers the most specific match). */
const routes: CompiledRoute[] = (Object.entries(functions) as [FunctionKey, (typeof functions)[FunctionKey]][])
  .flatMap(([key, fn]) =>
    (('routes' in fn ? fn.routes : []) as readonly RouteSpec[]).map((spec) => {
      const params: string[] = [];
      const source = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      return { key, spec, pattern: new RegExp(`^${source}$`), params };
    }),
  )
  .sort((a, b) => a.params.length - b.params.length);

const methodOrder = ['GET', 'HEAD', 'POST', 'OPTIONS'];

export type RouteAnswer =
  /** A catalogue route serves it (HEAD goes to the GET route); its path parameters decoded. */
  | { kind: 'route'; key: FunctionKey; spec: RouteSpec; pathParameters: Record<string, string>; allow: readonly string[] }
  /** OPTIONS of a known address: 204 with Allow, and nothing else (no CORS: the app is same-origin only). */
  | { kind: 'options'; allow: readonly string[] }
  /** An unknown address (404), a method the address does not answer (405 with Allow), a malformed one (400). */
  | { kind: 'refused'; refusal: GovernanceError };

/** Where a request goes, from the catalogue alone. `path` is the raw, percent-encoded path. */
export function routeRequest(method: string, path: string): RouteAnswer {
  const matching = routes.filter((r) => r.pattern.test(path));
  if (matching.length === 0) {
    return {
      kind: 'refused',
      refusal: new RouteNotFoundError('There is no page at this address. Check the link, or start again from the home page.'),
    };
  }
  const served = new Set(matching.map((r) => r.spec.method as string));
  if (served.has('GET')) served.add('HEAD');
  served.add('OPTIONS');
  const allow = methodOrder.filter((m) => served.has(m));
  const wanted = method.toUpperCase();
  if (wanted === 'OPTIONS') return { kind: 'options', allow };
  const route = matching.find((r) => r.spec.method === (wanted === 'HEAD' ? 'GET' : wanted));
  if (!route) {
    return { kind: 'refused', refusal: new MethodNotAllowedError(`This address does not answer ${wanted} requests; it answers ${allow.join(', ')}.`, allow) };
  }
  const values = (route.pattern.exec(path) ?? []).slice(1).map((raw) => decodePath(raw));
  if (values.some((v) => v === undefined)) return { kind: 'refused', refusal: malformedAddress(path) as GovernanceError };
  return { kind: 'route', key: route.key, spec: route.spec, pathParameters: Object.fromEntries(route.params.map((p, i) => [p, values[i] ?? ''])), allow };
}
