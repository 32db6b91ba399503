import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { NotInDirectoryError } from '#core/errors';
import { type DirectoryLookup, decideSignIn, isConfiguredFirstAdmin, refusalError } from '#sign-in/directory-gate';
import { DirectoryStore } from '#adapters/directory-store';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';

let store: DirectoryStore | undefined;

/** Created on first use and kept for the container's life, as every handler's store. */
function directoryStore(): DirectoryStore {
  store ??= new DirectoryStore();
  return store;
}

/**
 * The user pool's Pre Token Generation trigger: Cognito runs it before it issues tokens for any
 * sign-in (managed login, every federated sign-in, first or later, and a token refresh), so nobody
 * gets a session the directory would refuse. It returns the event unchanged to let the sign-in
 * through; it throws to refuse, and Cognito shows the error's message, or sends it back to
 * /auth/callback as `error_description`, which the sign-in function's page shows.
 * The local development sign-in runs this same handler before it sets its cookie.
 */
export async function checkSignIn(event: PreTokenGenerationTriggerEvent, directory?: DirectoryLookup): Promise<PreTokenGenerationTriggerEvent> {
  const email = event.request.userAttributes.email?.trim();
  if (!email) {
    logger.info('sign-in refused', { reason: 'no email', triggerSource: event.triggerSource });
    throw new NotInDirectoryError('Your City account did not send an email address, so the directory cannot find you. Ask DTI to check the sign-in set-up.');
  }
  const firstAdmin = isConfiguredFirstAdmin(email, process.env.FIRST_ADMIN_EMAILS);
  const verdict = await decideSignIn(directory ?? directoryStore(), email, firstAdmin);
  if (verdict.outcome === 'refused') {
    logger.info('sign-in refused', { reason: verdict.reason, triggerSource: event.triggerSource });
    throw refusalError(verdict);
  }
  logger.info('sign-in allowed', {
    outcome: verdict.outcome,
    triggerSource: event.triggerSource,
    ...(verdict.outcome === 'allowed' ? { personId: verdict.person.id } : {}),
  });
  return event;
}

export const handler = taskHandler((event: PreTokenGenerationTriggerEvent) => checkSignIn(event));
