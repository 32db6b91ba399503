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
