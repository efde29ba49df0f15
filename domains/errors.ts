/**
 * The error catalogue: 9-digit codes grouped by domain, like Coze Loop's. Domains throw
 * AppError; the routes' error handler turns it into the wire envelope.
 */

/** Error codes of the foundation domain (shared, "common" ones included). */
export const Codes = {
  noPermission: 602000101,
  badRequest: 602000201,
  invalidParam: 602000202,
  bizInvalid: 602000203,
  resourceDuplicated: 602000204,
  networkTimeout: 602000701,
  internal: 602000702,
  dependencyUnavailable: 602000703,
  mysqlError: 602000801,
  redisError: 602000803,
} as const;

/** A failure a caller can act on: a code, a message for humans, and an HTTP status. */
export class AppError extends Error {
  override name = "AppError";
  readonly code: number;
  readonly status: number;

  constructor(code: number, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 200;
  }
}
