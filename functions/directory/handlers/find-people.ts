import { InvalidInputError } from '#core/errors';
import { maxMatches, maxQueryLength, minQueryLength } from '#core/people-picker';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, jsonResponse, signedInViewer } from '#adapters/http';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;

/**
 * GET /people?q=: the people picker's search, as one types (the app's script fills a datalist with
 * it). People whose name or City email starts with q, still with the City, at most ten.
 */
export async function findPeople(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  await signedInViewer(event, store);
  const q = (event.queryStringParameters?.q ?? '').trim();
  if (q.length < minQueryLength || q.length > maxQueryLength) {
    const rule = `Type ${minQueryLength} to ${maxQueryLength} characters of a name or a City email address.`;
    throw new InvalidInputError(rule, {
      q: q.length < minQueryLength ? `type at least ${minQueryLength} characters` : `type at most ${maxQueryLength} characters`,
    });
  }
  const people = await store.findPeople(q, maxMatches);
  return jsonResponse(200, { people: people.map((p) => ({ id: p.id, name: p.name, email: p.email, departmentName: p.departmentName, title: p.title ?? '' })) });
}

export const handler = httpHandler(findPeople);
