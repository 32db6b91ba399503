import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { GovernanceStore } from '#adapters/store';
import { html, page } from '#core/html';

let store: GovernanceStore | undefined;

/** GET /: "My work" (placeholder). */
export async function showMyWork(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const viewer = await signedInViewer(event, store);
  if (!wantsHtml(event)) return jsonResponse(200, { approvals: [], tasks: [], requests: [] });
  return htmlResponse(200, page({ title: 'My work', viewer, path: '/', body: html`<div class="card"><h1>My work</h1></div>` }));
}

export const handler = httpHandler(showMyWork);
