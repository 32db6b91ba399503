import { ForbiddenError, GovernanceError, NotInDirectoryError } from '#core/errors';
import type { Person } from '#core/policy';

/**
 * Who may sign in, decided once for both hosts: the Cognito Pre Token Generation trigger (AWS, every
 * sign-in, federated ones included, and every token refresh), the local development sign-in (which
 * runs that same trigger), and every page's `signedInPerson` (adapters/http.ts), which stops a
 * session the moment its person leaves the directory or separates. A person signs in when the
 * directory knows their email and they have not separated. While the directory has nobody in it at
 * all, the deployment's first DTI administrators (context `firstAdminEmails`, FIRST_ADMIN_EMAILS)
 * may sign in too, and see the setup page; once anyone is in the directory that list means nothing.
 */

/** FIRST_ADMIN_EMAILS: a comma-separated list; each address trimmed and lower-cased, as the directory keeps emails. */
export function firstAdminEmails(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter(Boolean);
}

export const isFirstAdmin = (email: string, firstAdmins: readonly string[]): boolean => firstAdmins.includes(email.trim().toLowerCase());

/** Whether `email` is on the deployment's list as configured (FIRST_ADMIN_EMAILS, as the trigger, the authorizer and the local sign-in read it). */
export const isConfiguredFirstAdmin = (email: string, configured: string | undefined): boolean => isFirstAdmin(email, firstAdminEmails(configured));

export type SignInRefusal = 'notInDirectory' | 'separated';

export type SignInVerdict =
  | { outcome: 'allowed'; person: Person }
  /** A first DTI administrator while the directory is empty: signed in, and every page is the setup page. */
  | { outcome: 'firstAdmin'; email: string }
  | { outcome: 'refused'; reason: SignInRefusal; message: string };

export interface SignInFacts {
  /** The directory person with the sign-in's email, if any. */
  person: Person | undefined;
  email: string;
  /** The email is on the deployment's first-administrator list. */
  firstAdmin: boolean;
  /** The directory has no people at all (only asked when it matters: no person, a first admin). */
  directoryEmpty: boolean;
}

/**
 * The decision, with no I/O. The messages are what the person reads: on the sign-in page (Cognito
 * passes a trigger's error message on) and on any page they reach afterwards.
 */
export function signInVerdict({ person, email, firstAdmin, directoryEmpty }: SignInFacts): SignInVerdict {
  if (person?.separatedOn) {
    return {
      outcome: 'refused',
      reason: 'separated',
      message: `${person.name} separated from the City on ${person.separatedOn} and can no longer use this service.`,
    };
  }
  if (person) return { outcome: 'allowed', person };
  if (firstAdmin && directoryEmpty) return { outcome: 'firstAdmin', email };
  return { outcome: 'refused', reason: 'notInDirectory', message: `${email} is not in the social media governance directory. Ask DTI to add you.` };
}

/** What the decision reads of the directory (DirectoryStore). */
export interface DirectoryLookup {
  personByEmail(email: string): Promise<Person | undefined>;
  /** One Query with Limit 1: cheap enough for a sign-in. */
  hasPeople(): Promise<boolean>;
}

/**
 * The facts, then the verdict: the person by email, and whether the directory is empty only when
 * that can change the answer (nobody has that email, and it is a first administrator's).
 */
export async function decideSignIn(directory: DirectoryLookup, email: string, firstAdmin: boolean): Promise<SignInVerdict> {
  const person = await directory.personByEmail(email);
  const directoryEmpty = !person && firstAdmin ? !(await directory.hasPeople()) : false;
  return signInVerdict({ person, email, firstAdmin, directoryEmpty });
}

/** A refusal as the one error hierarchy's error: not in the directory (401, never a sign-in loop) or separated (403). */
export function refusalError(verdict: { reason: SignInRefusal; message: string }): GovernanceError {
  return verdict.reason === 'separated' ? new ForbiddenError(verdict.message) : new NotInDirectoryError(verdict.message);
}

/**
 * A first DTI administrator signed in while the directory is empty: every page answers with the
 * setup page (adapters/http.ts renders it), API clients with this status and message.
 */
export class DirectoryEmptyError extends GovernanceError {
  readonly status = 503;
  constructor(readonly email: string) {
    super(
      'The directory is empty: nobody can use social media governance until DTI imports it (npm run directory -- import people.csv departments.csv roles.csv --target aws --stack <name>; see the README\u2019s go-live checklist).',
    );
  }
}
