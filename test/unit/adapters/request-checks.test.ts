import { describe, expect, it } from 'vitest';
import { checkRequest, crossSiteRefusal, decodePath, MAX_BODY_BYTES, ownOrigins, type RequestShape, routeRequest } from '#adapters/request-checks';
import { functions } from '#catalogue';
import { ForbiddenError, MalformedAddressError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError } from '#core/errors';

const own = ownOrigins('https://social.cabq.gov/some/path', 'abc123.execute-api.us-west-2.amazonaws.com');

const request = (overrides: Partial<RequestShape> = {}): RequestShape => ({
  method: 'POST',
  path: '/requests',
  headers: {},
  bodyBytes: 100,
  ownOrigins: own,
  ...overrides,
});

describe('ownOrigins', () => {
  it('are the public base URL’s origin and the API’s own domain over HTTPS', () => {
    expect(own).toEqual(['https://social.cabq.gov', 'https://abc123.execute-api.us-west-2.amazonaws.com']);
  });
});

describe('checkRequest', () => {
  it('lets a same-origin POST, a POST with no Origin (curl, API clients) and any GET through', () => {
    expect(checkRequest(request({ headers: { Origin: 'https://social.cabq.gov', 'Sec-Fetch-Site': 'same-origin' } }))).toBeUndefined();
    expect(checkRequest(request({ headers: { origin: 'https://abc123.execute-api.us-west-2.amazonaws.com' } }))).toBeUndefined();
    expect(checkRequest(request())).toBeUndefined();
    expect(checkRequest(request({ method: 'GET', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }))).toBeUndefined();
  });

  it.each([
    ['another website', { origin: 'https://evil.example' }],
    ['another City site (same-site, other origin)', { origin: 'https://intranet.cabq.gov' }],
    ['an opaque ("null") origin', { origin: 'null' }],
    ['plain HTTP on the app’s own host', { origin: 'http://social.cabq.gov' }],
    ['a browser that says cross-site, without an Origin', { 'sec-fetch-site': 'cross-site' }],
    ['a browser that says Cross-Site in any case', { 'Sec-Fetch-Site': ' Cross-Site ' }],
  ])('refuses a POST from %s with a 403 that says to open the form on the City site', (_, headers) => {
    const refusal = checkRequest(request({ headers }));
    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toBe('This form was sent from another website, so it was refused. Open the form on the City site and send it from there.');
  });

  it('fences every state-changing method, not only POST, and never the safe ones', () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'post']) {
      expect(crossSiteRefusal({ method, headers: { origin: 'https://evil.example' }, ownOrigins: own }), method).toBeInstanceOf(ForbiddenError);
    }
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(crossSiteRefusal({ method, headers: { origin: 'https://evil.example' }, ownOrigins: own }), method).toBeUndefined();
    }
  });

  it('refuses a body over 64 KiB with a 413 that names the limit, and takes one of exactly 64 KiB', () => {
    expect(checkRequest(request({ bodyBytes: MAX_BODY_BYTES }))).toBeUndefined();
    const refusal = checkRequest(request({ bodyBytes: MAX_BODY_BYTES + 1 }));
    expect(refusal).toBeInstanceOf(PayloadTooLargeError);
    expect(refusal?.status).toBe(413);
    expect(refusal?.name).toBe('PayloadTooLargeError');
    expect(refusal?.message).toContain('64 KiB');
    expect(MAX_BODY_BYTES).toBe(65_536);
  });

  it.each(['/approvals/%E0%A4%A', '/requests/%ZZ', '/tasks/%C0%AF', '/accounts/%', '/requests/%E0%A4'])(
    'refuses the malformed address %s with a 400 that says to check the link',
    (path) => {
      const refusal = checkRequest(request({ method: 'GET', path }));
      expect(refusal).toBeInstanceOf(MalformedAddressError);
      expect(refusal?.status).toBe(400);
      expect(refusal?.message).toMatch(/malformed percent-encoding.*Check the link/);
    },
  );

  it('decodes a well-formed address, reserved and non-ASCII characters included', () => {
    expect(decodePath('/requests/na%2D1%20%E2%9C%93')).toBe('/requests/na-1 \u2713');
    expect(checkRequest(request({ method: 'GET', path: '/requests/na%2D1%20%E2%9C%93' }))).toBeUndefined();
  });

  it('names the address problem first: a malformed, oversized, cross-site POST is a 400', () => {
    expect(checkRequest(request({ path: '/requests/%ZZ', bodyBytes: 10 * MAX_BODY_BYTES, headers: { origin: 'https://evil.example' } }))?.status).toBe(400);
    expect(checkRequest(request({ bodyBytes: 10 * MAX_BODY_BYTES, headers: { origin: 'https://evil.example' } }))?.status).toBe(413);
  });
});

describe('routeRequest', () => {
  it('sends a catalogue route to its function with the path parameters decoded', () => {
    expect(routeRequest('GET', '/requests/na%2D1')).toMatchObject({
      kind: 'route',
      key: 'showRequest',
      spec: { method: 'GET', path: '/requests/{requestId}' },
      pathParameters: { requestId: 'na-1' },
    });
    expect(routeRequest('POST', '/requests')).toMatchObject({ kind: 'route', key: 'submitRequest', pathParameters: {} });
  });

  it('prefers a literal path to a templated one, as API Gateway does', () => {
    expect(routeRequest('GET', '/requests/new')).toMatchObject({ kind: 'route', key: 'submitRequest' });
  });

  it('sends a HEAD to the GET route of its address', () => {
    expect(routeRequest('HEAD', '/guidelines')).toMatchObject({ kind: 'route', key: 'showGuidelines', spec: { method: 'GET' } });
  });

  it('answers OPTIONS of a known address with what it allows, and nothing about CORS', () => {
    expect(routeRequest('OPTIONS', '/approvals/abc')).toEqual({ kind: 'options', allow: ['GET', 'HEAD', 'POST', 'OPTIONS'] });
    expect(routeRequest('OPTIONS', '/requests')).toEqual({ kind: 'options', allow: ['GET', 'HEAD', 'POST', 'OPTIONS'] });
    expect(routeRequest('OPTIONS', '/guidelines')).toEqual({ kind: 'options', allow: ['GET', 'HEAD', 'OPTIONS'] });
  });

  it('refuses a method the address does not answer with a 405 that lists the ones it does', () => {
    const answer = routeRequest('DELETE', '/requests/na-1');
    expect(answer.kind).toBe('refused');
    const refusal = answer.kind === 'refused' ? answer.refusal : undefined;
    expect(refusal).toBeInstanceOf(MethodNotAllowedError);
    expect(refusal?.status).toBe(405);
    expect((refusal as MethodNotAllowedError).allow).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(refusal?.message).toBe('This address does not answer DELETE requests; it answers GET, HEAD, OPTIONS.');
    expect(routeRequest('POST', '/guidelines')).toMatchObject({ kind: 'refused', refusal: { status: 405, allow: ['GET', 'HEAD', 'OPTIONS'] } });
  });

  it.each([
    ['GET', '/nowhere'],
    ['OPTIONS', '/nowhere'],
    ['GET', '/requests/na-1/extra'],
    ['GET', '/requests/'],
    ['GET', '$default'],
  ])('refuses %s %s, an unknown address, with a 404 that points home', (method, path) => {
    const answer = routeRequest(method, path);
    const refusal = answer.kind === 'refused' ? answer.refusal : undefined;
    expect(refusal).toBeInstanceOf(RouteNotFoundError);
    expect(refusal?.status).toBe(404);
    expect(refusal?.message).toBe('There is no page at this address. Check the link, or start again from the home page.');
  });

  it('refuses a path parameter that does not decode with a 400', () => {
    expect(routeRequest('GET', '/approvals/%E0%A4%A')).toMatchObject({ kind: 'refused', refusal: { status: 400, name: 'MalformedAddressError' } });
  });

  it('routes every catalogue route to its own function (the table is the catalogue’s)', () => {
    for (const [key, spec] of Object.entries(functions)) {
      for (const route of 'routes' in spec ? spec.routes : []) {
        const path = route.path.replace(/\{\w+\}/g, 'x-1');
        const answer = routeRequest(route.method, path);
        // `/requests/new` is a literal route; `/requests/{requestId}` with id x-1 is not shadowed by it.
        expect(answer, `${route.method} ${route.path}`).toMatchObject({ kind: 'route', key, spec: route });
      }
    }
  });
});
