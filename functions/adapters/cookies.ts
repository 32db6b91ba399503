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

/** A request cookie by name, from the 2.0 payload's `cookies` or a plain Cookie header. */
export function cookieValue(event: CookieCarrier, name: string): string | undefined {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'cookie')?.[1];
  const pairs = [...(event.cookies ?? []), ...(header ?? '').split(';')];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
