import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { appScript, appStyles } from '#site/app-assets';
import { APP_SCRIPT, APP_STYLESHEET, USWDS_STYLESHEET } from '#site/assets';

/**
 * The files behind /assets/{version}/{name}: the U.S. Web Design System's compiled stylesheet with
 * the fonts and icons it refers to, and the app's own stylesheet and script. Names are flat: the
 * stylesheet's `url(../fonts/…/x.woff2)` becomes `url(x.woff2)`, so every file is one path segment
 * and nothing outside this list can be asked for. Only WOFF2 fonts are kept (every browser the City
 * supports reads them; the stylesheet lists them first). The AWS bundle carries a copy of the same
 * files (infra/aws/catalogue-function.ts asks `uswdsFiles` which), in `uswds/` beside the code.
 */

export interface Asset {
  body: Buffer;
  gzipped?: Buffer;
  contentType: string;
}

const contentTypes: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  woff2: 'font/woff2',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
};
const compressible = new Set(['css', 'js', 'svg']);

const extension = (name: string) => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

/** The stylesheet's references to files beside it (`../fonts/…`, `../img/…`), WOFF2 and images only. */
export function referencedFiles(css: string): string[] {
  const found = new Set<string>();
  for (const match of css.matchAll(/url\(\s*["']?(\.\.\/[^"')]+)["']?\s*\)/g)) {
    const ref = match[1] ?? '';
    if (contentTypes[extension(ref)] && !['css', 'js'].includes(extension(ref))) found.add(ref.replace(/^\.\.\//, ''));
  }
  return [...found].sort();
}

/** The USWDS files to serve, relative to its `dist` folder: the stylesheet and what it refers to. */
export function uswdsFiles(distDir: string): string[] {
  const css = readFileSync(join(distDir, 'css', USWDS_STYLESHEET), 'utf8');
  return [`css/${USWDS_STYLESHEET}`, ...referencedFiles(css).filter((f) => existsSync(join(distDir, f)))];
}

/** Where the USWDS files are: beside the bundle in AWS, the installed package locally. */
export function uswdsDistDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'uswds');
  if (existsSync(join(bundled, 'css', USWDS_STYLESHEET))) return bundled;
  return join(dirname(createRequire(import.meta.url).resolve('@uswds/uswds')), '..');
}

function asset(name: string, body: Buffer): Asset {
  const ext = extension(name);
  return { body, contentType: contentTypes[ext] ?? 'application/octet-stream', ...(compressible.has(ext) ? { gzipped: gzipSync(body, { level: 9 }) } : {}) };
}

/** Every asset by its flat name, read once. */
export function loadAssets(distDir = uswdsDistDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of uswdsFiles(distDir)) {
    const name = basename(file);
    if (assets.has(name)) throw new Error(`Two USWDS assets are named ${name} (${relative(distDir, file)}): the flat names must be unique.`);
    let body = readFileSync(join(distDir, file));
    if (name === USWDS_STYLESHEET) {
      body = Buffer.from(body.toString('utf8').replace(/url\(\s*(["']?)\.\.\/(?:[^"')]*\/)?([^/"')]+)\1\s*\)/g, 'url($1$2$1)'));
    }
    assets.set(name, asset(name, body));
  }
  assets.set(APP_STYLESHEET, asset(APP_STYLESHEET, Buffer.from(appStyles)));
  assets.set(APP_SCRIPT, asset(APP_SCRIPT, Buffer.from(appScript)));
  return assets;
}
