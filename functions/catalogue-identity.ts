/**
 * The catalogue's functions for who people are: sign-in (the OAuth endpoints, the HTTP API's
 * authorizer, Cognito's Pre Token Generation trigger), the people picker, and DTI's directory
 * administration (issue 13). catalogue.ts spreads them into `functions`; both hosts read them there.
 */
import type { FunctionSpec } from './catalogue-types.ts';

export const identityFunctions = {
  findPeople: {
    entry: 'functions/directory/handlers/find-people.ts',
    description: 'People picker: searches the directory by name or email (prefix queries, never a scan) for the forms that choose a person',
    access: { table: ['read'] },
    routes: [{ method: 'GET', path: '/people', auth: 'jwt' }],
  },
  signIn: {
    entry: 'functions/sign-in/handlers/sign-in.ts',
    description: 'Browser sign-in: OAuth 2.0 code flow with PKCE against Cognito managed login; sets and clears the session cookie',
    access: { userPool: true },
    routes: [
      { method: 'GET', path: '/auth/sign-in', auth: 'public' },
      { method: 'GET', path: '/auth/callback', auth: 'public' },
      { method: 'POST', path: '/auth/sign-out', auth: 'public' },
      { method: 'GET', path: '/auth/signed-out', auth: 'public' },
    ],
  },
  authorizeRequest: {
    entry: 'functions/sign-in/handlers/authorize-request.ts',
    description: 'HTTP API Lambda authorizer: verifies a Cognito ID token (bearer or session cookie) and passes the identity on',
    access: { userPool: true },
    authorizer: true,
  },
  checkSignIn: {
    entry: 'functions/sign-in/handlers/check-sign-in.ts',
    description:
      'Cognito Pre Token Generation trigger: refuses a sign-in whose email is not in the directory or whose person has separated (first DTI admins while it is empty)',
    access: { table: ['read'] },
    cognitoTrigger: 'preTokenGeneration',
  },
  manageDirectory: {
    entry: 'functions/directory/handlers/manage-directory.ts',
    description:
      'DTI\u2019s directory administration (issue 13): departments\u2019 directors and designees and City-wide role holders changed as directory events (the open work of whoever leaves a post moves, its new approvers emailed); HR\u2019s people read only',
    access: { table: ['read', 'write', 'delete'], sendEmail: true, linkKeys: 'derive' },
    routes: [
      // The sections (departments, roles, people) and their entities are path parameters: four routes, not ten.
      { method: 'GET', path: '/directory', auth: 'jwt' },
      { method: 'GET', path: '/directory/{section}', auth: 'jwt' },
      { method: 'GET', path: '/directory/{section}/{id}', auth: 'jwt' },
      { method: 'POST', path: '/directory/{section}/{id}', auth: 'jwt' },
    ],
  },
} as const satisfies Record<string, FunctionSpec>;
