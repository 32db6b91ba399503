import { InvalidInputError, NotFoundError } from '#core/errors';
import type { Platform, PlatformChange } from '#core/platform';
import { addPlatformPage, platformHref, platformPage, type PlatformView } from '#platforms/pages';
import {
  addedPlatform,
  assertMayManagePlatforms,
  editedPlatform,
  nameTakenBy,
  parsePlatformForm,
  parseRetireForm,
  retiredPlatform,
  StalePlatformError,
} from '#platforms/platforms';
import type { Viewer } from '#site/navigation';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, redirect } from '#adapters/http';
import { logger } from '#adapters/logger';
import type { PlatformStore } from '#adapters/platform-store';

/*
 * Not an entry: the POST routes of manage-platforms.ts (add, edit, retire). Each is DTI only
 * (403 before the body is read) → the form (400 with each field to fix, nothing written) → the
 * change and its record in one conditional transaction (409 with the current values when someone
 * else changed the platform first, nothing written) → 303 to the platform's page, or JSON.
 */

export interface RouteContext {
  event: HttpEvent;
  viewer: Viewer;
  store: PlatformStore;
  asHtml: boolean;
  now: Date;
  /** Today in Albuquerque: the latest day a review or an adoption may be dated. */
  today: string;
}

export type PlatformRoute = (ctx: RouteContext) => Promise<HttpResult>;

/** A form refused for its fields: a browser gets its page again with the errors, an API client the JSON error. */
function refusedInput(ctx: RouteContext, error: unknown, page: (errors: Record<string, string>) => string): HttpResult {
  if (error instanceof InvalidInputError && ctx.asHtml) return htmlResponse(400, page(error.fields));
  throw error;
}

/** The answer to a change made from an older version: nothing was written; here is the platform as it is now. */
async function stale(ctx: RouteContext, id: string): Promise<HttpResult> {
  const { platform, changes } = await ctx.store.platformWithChanges(id);
  if (!platform) throw new NotFoundError(`There is no platform ${id} on DTI’s list.`);
  const error = new StalePlatformError(platform);
  logger.info('platform change refused: stale version', { platformId: id, version: platform.version });
  if (!ctx.asHtml) return jsonResponse(409, { error: 'ConflictError', message: error.message, platform });
  return htmlResponse(409, platformPage({ ...view(ctx, platform, changes), stale: error.message }));
}

const view = (ctx: RouteContext, platform: Platform, changes: PlatformChange[]): PlatformView => ({
  viewer: ctx.viewer,
  platform,
  changes,
  mayManage: true,
  today: ctx.today,
});

function done(ctx: RouteContext, status: number, platform: Platform, change: PlatformChange | undefined, notice: string): HttpResult {
  logger.info(`platform ${notice}`, { platformId: platform.id, version: platform.version, fields: change?.changes.map((c) => c.field) });
  if (ctx.asHtml) return redirect(`${platformHref(platform.id)}?done=${notice}`);
  return jsonResponse(status, { platform, change: change ?? null });
}

async function current(ctx: RouteContext): Promise<{ id: string; platform: Platform; changes: PlatformChange[] }> {
  const id = ctx.event.pathParameters?.platformId ?? '';
  const { platform, changes } = await ctx.store.platformWithChanges(id);
  if (!platform) throw new NotFoundError(`There is no platform ${id} on DTI’s list. The list is at /platforms.`);
  return { id, platform, changes };
}

/** POST /platforms: a new platform, approved, with its first change recorded. */
export async function addPlatform(ctx: RouteContext): Promise<HttpResult> {
  const person = ctx.viewer.person;
  assertMayManagePlatforms(person);
  const body = parseBody(ctx.event);
  const page = (errors: Record<string, string>) => addPlatformPage({ viewer: ctx.viewer, today: ctx.today, values: body, errors });
  let added: ReturnType<typeof addedPlatform>;
  try {
    const form = parsePlatformForm(body, { today: ctx.today, adding: true });
    const listed = await ctx.store.platforms();
    const sameId = listed.find((p) => p.id === form.id);
    const sameName = nameTakenBy(form.name, listed);
    const fields: Record<string, string> = {
      ...(sameId ? { id: `${sameId.name} already has the id ${sameId.id}; choose another` } : {}),
      ...(sameName ? { name: `${sameName.name} is on the list already (${platformHref(sameName.id)})` } : {}),
    };
    if (Object.keys(fields).length) throw new InvalidInputError('The form has fields to fix.', fields);
    added = addedPlatform({ form, by: person, now: ctx.now });
    // The id was free a moment ago: a platform added with it since answers the same.
    if (!(await ctx.store.addPlatform(added.platform, added.change)))
      throw new InvalidInputError('The form has fields to fix.', { id: `a platform with the id ${form.id ?? ''} was just added; choose another` });
  } catch (error) {
    return refusedInput(ctx, error, page);
  }
  return done(ctx, 201, added.platform, added.change, 'added');
}

/** POST /platforms/{platformId}: the platform as the form gives it, if it is still at the form's version. */
export async function editPlatform(ctx: RouteContext): Promise<HttpResult> {
  const person = ctx.viewer.person;
  assertMayManagePlatforms(person);
  const { id, platform, changes } = await current(ctx);
  const body = parseBody(ctx.event);
  let edited: ReturnType<typeof editedPlatform>;
  let fromVersion: number;
  try {
    const form = parsePlatformForm(body, { today: ctx.today, adding: false });
    const sameName = nameTakenBy(form.name, await ctx.store.platforms(), id);
    if (sameName)
      throw new InvalidInputError('The form has fields to fix.', { name: `${sameName.name} is on the list already (${platformHref(sameName.id)})` });
    fromVersion = form.version ?? 0;
    edited = editedPlatform({ current: platform, form, by: person, now: ctx.now });
  } catch (error) {
    if (error instanceof StalePlatformError) return stale(ctx, id);
    return refusedInput(ctx, error, (errors) => platformPage({ ...view(ctx, platform, changes), edit: { values: body, errors } }));
  }
  if (!edited) return ctx.asHtml ? redirect(`${platformHref(id)}?done=unchanged`) : jsonResponse(200, { platform, change: null });
  if (!(await ctx.store.changePlatform(edited.platform, edited.change, fromVersion))) return stale(ctx, id);
  return done(ctx, 200, edited.platform, edited.change, 'edited');
}

/** POST /platforms/{platformId}/retire: off the approved list for good, with the reason on record. */
export async function retirePlatform(ctx: RouteContext): Promise<HttpResult> {
  const person = ctx.viewer.person;
  assertMayManagePlatforms(person);
  const { id, platform, changes } = await current(ctx);
  const body = parseBody(ctx.event);
  let retired: ReturnType<typeof retiredPlatform>;
  let fromVersion: number;
  try {
    const form = parseRetireForm(body);
    fromVersion = form.version;
    retired = retiredPlatform({ current: platform, version: form.version, reason: form.reason, by: person, now: ctx.now });
  } catch (error) {
    if (error instanceof StalePlatformError) return stale(ctx, id);
    return refusedInput(ctx, error, (errors) => platformPage({ ...view(ctx, platform, changes), retire: { values: body, errors } }));
  }
  if (!(await ctx.store.changePlatform(retired.platform, retired.change, fromVersion))) return stale(ctx, id);
  return done(ctx, 200, retired.platform, retired.change, 'retired');
}
