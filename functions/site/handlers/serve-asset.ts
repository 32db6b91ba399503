import { RouteNotFoundError } from '#core/errors';
import { httpHandler } from '#adapters/handler';
import type { HttpEvent, HttpResult } from '#adapters/http';
import { type Asset, loadAssets } from '#site/asset-files';
import { assetVersion } from '#site/assets';

let assets: Map<string, Asset> | undefined;

const year = 365 * 24 * 3600;

/**
 * GET /assets/{version}/{name}: a static asset, in both hosts. The current version's URLs are cached
 * for a year (immutable: a new version is a new URL); a page still holding an older version's URL
 * (during a deploy) gets today's file, revalidated every time. Text is gzipped for clients that
 * accept it. Public: it reads no data and its role reaches none.
 */
export async function serveAsset(event: HttpEvent): Promise<HttpResult> {
  assets ??= loadAssets();
  const name = event.pathParameters?.name ?? '';
  const found = assets.get(name);
  if (!found) throw new RouteNotFoundError(`There is no file named ${name} among the site's assets.`);
  const current = event.pathParameters?.version === assetVersion;
  const gzip = found.gzipped && /\bgzip\b/.test(event.headers?.['accept-encoding'] ?? '');
  const body = gzip && found.gzipped ? found.gzipped : found.body;
  return {
    statusCode: 200,
    headers: {
      'content-type': found.contentType,
      'cache-control': current ? `public, max-age=${year}, immutable` : 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

export const handler = httpHandler(serveAsset);
