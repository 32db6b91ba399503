import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { GovernanceStore } from '#adapters/store';
import { registryPage } from '#registry/pages';

let store: GovernanceStore | undefined;

/** GET /accounts: the registry (O.b) with each account's grants (admins and posters) and who authorized them (B). */
export async function showRegistry(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const viewer = await signedInViewer(event, store);
  const accounts = await store.accounts();
  const grants = (await Promise.all(accounts.map((a) => (store as GovernanceStore).grantsForAccount(a.accountId)))).flat();
  if (wantsHtml(event)) return htmlResponse(200, registryPage(accounts, grants, viewer));
  return jsonResponse(200, { accounts: accounts.map((a) => ({ ...a, grants: grants.filter((g) => g.accountId === a.accountId) })) });
}

export const handler = httpHandler(showRegistry);
