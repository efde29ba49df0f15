/**
 * Typed errors raised at the infrastructure boundary. Drivers map their own errors to these
 * so that domains and routes never look at driver-specific codes.
 */

/** A dependency could not be reached or answered with a transport-level failure. */
export class ServiceUnavailableError extends Error {
  override name = "ServiceUnavailableError";
  /** Human name of the service, e.g. "MySQL". */
  readonly service: string;
  /** host:port (or URL) the service was expected at. */
  readonly address: string;

  constructor(service: string, address: string, cause?: unknown) {
    super(`${service} at ${address} is unavailable: ${describeCause(cause)}`, { cause });
    this.service = service;
    this.address = address;
  }
}

/** A unique constraint was violated: the thing being created already exists. */
export class AlreadyExistsError extends Error {
  override name = "AlreadyExistsError";
  /** The unique key that collided, when the driver names it. */
  readonly key?: string;

  constructor(message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.key = options.key;
  }
}

/** A distributed lock operation was attempted by a caller that does not hold the lock. */
export class LockNotHeldError extends Error {
  override name = "LockNotHeldError";
  constructor(key: string) {
    super(`Lock "${key}" is not held by this caller`);
  }
}

/** A short description of an unknown thrown value, without its stack. */
export function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return describeCause(cause.errors[0]);
  }
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const msg = cause.message || cause.name;
    return typeof code === "string" && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return cause === undefined ? "unknown error" : String(cause);
}

/** The named object, row or message does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(message: string) {
    super(message);
  }
}
