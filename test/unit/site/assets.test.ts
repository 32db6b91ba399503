import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadAssets, referencedFiles, uswdsDistDir } from '#site/asset-files';
import { assetUrl, assetVersion, USWDS_VERSION } from '#site/assets';
import { serveAsset } from '#site/handlers/serve-asset';
import { httpEvent } from '../events.ts';

const assetEvent = (version: string, name: string, headers: Record<string, string> = {}) =>
  httpEvent({ method: 'GET', path: `/assets/${version}/${name}`, pathParameters: { version, name }, headers });

describe('static assets', () => {
  it('names the installed U.S. Web Design System release in the asset version', () => {
    const installed = JSON.parse(readFileSync(`${uswdsDistDir()}/../package.json`, 'utf8')) as { version: string };
    expect(installed.version).toBe(USWDS_VERSION);
    expect(assetVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(assetUrl('app.css')).toBe(`/assets/${assetVersion}/app.css`);
  });

  it('keeps the stylesheet’s WOFF2 fonts and images, and renames them flat in the stylesheet', () => {
    expect(
      referencedFiles('a{src:url(../fonts/x/a.woff2),url(../fonts/x/a.woff)}b{background:url("../img/usa-icons/close.svg")}c{d:url(data:image/png;base64,AA)}'),
    ).toEqual(['fonts/x/a.woff2', 'img/usa-icons/close.svg']);
    const assets = loadAssets();
    const css = assets.get('uswds.min.css')?.body.toString('utf8') ?? '';
    expect(css).toContain('url(sourcesanspro-regular-webfont.woff2)');
    expect(css).not.toContain('../fonts/');
    expect(assets.get('sourcesanspro-regular-webfont.woff2')?.contentType).toBe('font/woff2');
    expect(assets.get('close.svg')?.contentType).toBe('image/svg+xml');
    expect(assets.has('app.js')).toBe(true);
  });

  it('serves the current version for a year, immutable, gzipped when asked', async () => {
    const res = await serveAsset(assetEvent(assetVersion, 'app.css', { 'accept-encoding': 'gzip, br' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers?.['content-encoding']).toBe('gzip');
    expect(gunzipSync(Buffer.from(res.body ?? '', 'base64')).toString('utf8')).toContain('.app-header{');
  });

  it('serves an older page’s version with today’s file, revalidated every time', async () => {
    const res = await serveAsset(assetEvent('0123456789ab', 'app.css'));
    expect(res.headers?.['cache-control']).toBe('no-cache');
    expect(res.headers?.['content-encoding']).toBeUndefined();
    expect(Buffer.from(res.body ?? '', 'base64').toString('utf8')).toContain('.app-header{');
  });

  it('answers a name outside the list as not found', async () => {
    await expect(serveAsset(assetEvent(assetVersion, '..%2Fpackage.json'))).rejects.toThrow('There is no file named ..%2Fpackage.json');
    await expect(serveAsset(assetEvent(assetVersion, 'uswds.css'))).rejects.toThrow('There is no file named uswds.css');
  });
});
