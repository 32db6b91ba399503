import { InvalidInputError } from '#core/errors';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, jsonResponse, signedInViewer } from '#adapters/http';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;

/** GET /people?q=: the people picker's search (placeholder until the directory search lands). */
export async function findPeople(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  await signedInViewer(event, store);
  const q = (event.queryStringParameters?.q ?? '').trim();
  if (q.length < 2) throw new InvalidInputError('Type at least two letters of a name or an email address.', { q: 'Type at least two letters.' });
  return jsonResponse(200, { people: [] });
}

export const handler = httpHandler(findPeople);
