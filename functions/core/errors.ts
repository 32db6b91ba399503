/**
 * The one error hierarchy. Each error knows its HTTP status and a message a person can act on;
 * `name` doubles as the Step Functions error name, so an ASL Catch or a failed execution says which.
 */
export abstract class GovernanceError extends Error {
  abstract readonly status: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that fails validation. `fields` maps each field to what to fix. */
export class InvalidInputError extends GovernanceError {
  readonly status = 400;
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Nobody is signed in: browsers are sent to sign-in, API clients get a 401. */
export class NotSignedInError extends GovernanceError {
  readonly status = 401;
}

/**
 * Signed in, but not a person in the directory. A 401 like NotSignedInError, but never a redirect
 * to sign-in: the City sign-in would succeed again and send the person straight back (a loop).
 */
export class NotInDirectoryError extends GovernanceError {
  readonly status = 401;
}

export class ForbiddenError extends GovernanceError {
  readonly status = 403;
}

export class NotFoundError extends GovernanceError {
  readonly status = 404;
}

/**
 * An emailed link whose id is unknown or whose secret is wrong, tampered with or missing: one
 * answer for all of them, which names nothing about any request, so guessing learns nothing.
 */
export class InvalidLinkError extends GovernanceError {
  readonly status = 404;
  constructor() {
    super('This link is not valid: it may be incomplete or mistyped. Open it again from the email you received.');
  }
}

export class RequestNotFoundError extends GovernanceError {
  readonly status = 404;
}

/** A state change that lost a race or repeats one already made (second click, superseded link). */
export class ConflictError extends GovernanceError {
  readonly status = 409;
}

/** The policy configuration or the directory cannot route a request (e.g. a department without a director). */
export class ConfigurationError extends GovernanceError {
  readonly status = 500;
}

/** An HR event names an employee the directory does not know: nothing is changed, DTI is alerted. */
export class UnknownEmployeeError extends GovernanceError {
  readonly status = 404;
}

/**
 * A separation dated further ahead than an offboarding can wait for (its execution lives at most a
 * year, and runs on after the date): nothing is started, and HR sends the event again nearer the date.
 */
export class SeparationTooFarAheadError extends GovernanceError {
  readonly status = 422;
}

/**
 * What every HTTP request must pass before any handler runs (adapters/request-checks.ts), in both
 * hosts. These name what was wrong with the request itself, not with a form field.
 */

/** The path's percent-encoding does not decode (a mangled or truncated link). */
export class MalformedAddressError extends GovernanceError {
  readonly status = 400;
}

/** No page or API lives at this address. */
export class RouteNotFoundError extends GovernanceError {
  readonly status = 404;
}

/** The address exists but does not answer this method; `allow` is what it answers (the Allow header). */
export class MethodNotAllowedError extends GovernanceError {
  readonly status = 405;
  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }
}

/** A request body over the limit every function accepts; the message states the limit. */
export class PayloadTooLargeError extends GovernanceError {
  readonly status = 413;
}
