import { parse } from 'cookie';

/**
 * The sign-in's cookies. `__Host-` makes the browser insist on Secure, Path=/ and no Domain, so no
 * other host (not even a City subdomain) can set or overwrite them. HttpOnly: no script reads them;
 * SameSite=Lax: cross-site POSTs (and sub-requests) do not carry them.
 */
export const SESSION_COOKIE = '__Host-session';
export const SIGN_IN_COOKIE = '__Host-signin';

const attributes = 'HttpOnly; Secure; SameSite=Lax; Path=/';

export function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; ${attributes}; Max-Age=${Math.floor(maxAgeSeconds)}`;
}

export function clearCookie(name: string): string {
  return `${name}=; ${attributes}; Max-Age=0`;
}

interface CookieCarrier {
  /** API Gateway payload 2.0 moves the Cookie header here (HTTP API events and Lambda authorizer events alike). */
  cookies?: string[];
  headers?: Record<string, string | undefined>;
}

/**
 * A request cookie by name, from the 2.0 payload's `cookies` or a plain Cookie header; the first one
 * sent wins. The value comes back as sent, not percent-decoded: callers decode what they encoded
 * (the local API decodes its person id), and a token decoded twice could change. A pair without
 * `=`, or with a stray `%`, is skipped or kept as is, never an error.
 */
export function cookieValue(event: CookieCarrier, name: string): string | undefined {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'cookie')?.[1];
  const all = [...(event.cookies ?? []), header ?? ''].join('; ');
  return parse(all, { decode: (value) => value })[name];
}
