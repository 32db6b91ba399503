import { guidelinesJson, guidelinesPage } from '#records/pages';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse } from '#adapters/http';

/**
 * Unlike every other page, this one carries no secret and no one's data: the public guidelines can
 * be cached (five minutes, so a configuration change shows soon). HTML and JSON share the URL, so a
 * shared cache must keep them apart by Accept.
 */
const cacheable = (result: HttpResult): HttpResult => ({
  ...result,
  headers: { ...result.headers, 'cache-control': 'public, max-age=300', vary: 'accept' },
});

/** A public page opens as HTML in anything; JSON only for a client that asks for it first. */
function wantsJson(event: HttpEvent): boolean {
  const accept = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'accept')?.[1] ?? '';
  return accept.trim().toLowerCase().startsWith('application/json');
}

/**
 * GET /guidelines, public (no sign-in): rule K's categories for display to users (L), read from
 * policy.moderation.categories, the same list the moderation form offers and enforces.
 */
export async function showGuidelines(event: HttpEvent): Promise<HttpResult> {
  return cacheable(wantsJson(event) ? jsonResponse(200, guidelinesJson()) : htmlResponse(200, guidelinesPage()));
}

export const handler = httpHandler(showGuidelines);
