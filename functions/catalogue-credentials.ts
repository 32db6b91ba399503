/**
 * The catalogue's functions for the accounts' credentials on file with DTI (O.b, O.c) and for
 * retiring an account (issue 14). catalogue.ts spreads them into `functions`; both hosts read them there.
 */
import type { FunctionSpec } from './catalogue-types.ts';

export const credentialFunctions = {
  manageCredential: {
    entry: 'functions/credentials/handlers/manage-credential.ts',
    description:
      'An account\u2019s credential (O.b, O.c): its state and health, and DTI\u2019s list of the accounts that fail a check; DTI and the Communications Coordinator view the login by POST with a reason (recorded, admins told); an admin records a password change (their own or generated: staged, revealed, confirmed) or an admin change (DTI and the Coordinator told)',
    access: {
      table: ['read', 'write', 'delete'],
      sendEmail: true,
      vault: ['stage', 'reveal', 'promote'],
      linkKeys: 'redeem',
      sendTaskResult: ['credentialCapture'],
    },
    routes: [
      { method: 'GET', path: '/credentials', auth: 'jwt' },
      { method: 'GET', path: '/accounts/{accountId}/credential', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/credential', auth: 'jwt' },
    ],
  },
  requestRetirement: {
    entry: 'functions/retirement/handlers/request-retirement.ts',
    description:
      'Retiring an account (O.b, O.c): an admin or the department director asks (why; its content archived first, then deleted or left read-only); starts the director\u2019s approval',
    access: { table: ['read', 'write'], startExecution: ['accountRetirementApproval'] },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/retirement/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/retirement', auth: 'jwt' },
    ],
  },
} as const satisfies Record<string, FunctionSpec>;
