import { NotFoundError } from '#core/errors';
import { missingDocuments, type Platform } from '#core/platform';
import { addPlatformPage, platformPage, platformsListPage, type PlatformNotice } from '#platforms/pages';
import { assertMayManagePlatforms, denverToday, mayManagePlatforms, platformFormFields } from '#platforms/platforms';
import { DirectoryStore } from '#adapters/directory-store';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { PlatformStore } from '#adapters/platform-store';
import { addPlatform, editPlatform, type PlatformRoute, retirePlatform } from '#platforms/handlers/platform-routes';

let directory: DirectoryStore | undefined;
let store: PlatformStore | undefined;

/**
 * DTI's approved-platforms list (O.a, P). Everyone signed in reads GET /platforms and GET
 * /platforms/{platformId}; only DTI gets the add form (GET /platforms/new) and may POST: add
 * (POST /platforms), edit (POST /platforms/{platformId}), retire (…/retire). The POST routes are
 * platform-routes.ts; each change is recorded in the same transaction as the change itself.
 */
const routes: Record<string, PlatformRoute> = {
  'GET /platforms': list,
  'GET /platforms/new': newForm,
  'POST /platforms': addPlatform,
  'GET /platforms/{platformId}': show,
  'POST /platforms/{platformId}': editPlatform,
  'POST /platforms/{platformId}/retire': retirePlatform,
};

export async function managePlatforms(event: HttpEvent): Promise<HttpResult> {
  directory ??= new DirectoryStore();
  store ??= new PlatformStore();
  const viewer = await signedInViewer(event, directory);
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`There is no platforms page at ${event.routeKey}. The list is at /platforms.`);
  const now = new Date();
  return route({ event, viewer, store, asHtml: wantsHtml(event), now, today: denverToday(now) });
}

/** A platform as the JSON answers give it: with the P documents it is missing. */
const described = (p: Platform) => ({ ...p, missingDocuments: missingDocuments(p) });

async function list({ viewer, store: s, asHtml }: Parameters<PlatformRoute>[0]): Promise<HttpResult> {
  const platforms = await s.platforms();
  if (!asHtml) return jsonResponse(200, { platforms: platforms.map(described) });
  return htmlResponse(200, platformsListPage({ viewer, platforms, mayManage: mayManagePlatforms(viewer.person) }));
}

async function newForm({ viewer, asHtml, today }: Parameters<PlatformRoute>[0]): Promise<HttpResult> {
  assertMayManagePlatforms(viewer.person);
  if (!asHtml) return jsonResponse(200, { href: '/platforms', method: 'POST', fields: platformFormFields, latestDay: today });
  return htmlResponse(200, addPlatformPage({ viewer, today }));
}

const notices: readonly PlatformNotice[] = ['added', 'edited', 'retired', 'unchanged'];

async function show({ event, viewer, store: s, asHtml, today }: Parameters<PlatformRoute>[0]): Promise<HttpResult> {
  const id = event.pathParameters?.platformId ?? '';
  const { platform, changes } = await s.platformWithChanges(id);
  if (!platform) throw new NotFoundError(`There is no platform ${id} on DTI’s list. The list is at /platforms.`);
  if (!asHtml) return jsonResponse(200, { platform: described(platform), changes });
  const done = event.queryStringParameters?.done;
  const notice = notices.find((n) => n === done);
  return htmlResponse(200, platformPage({ viewer, platform, changes, mayManage: mayManagePlatforms(viewer.person), today, ...(notice ? { notice } : {}) }));
}

export const handler = httpHandler(managePlatforms);
