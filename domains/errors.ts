/**
 * The error catalogue: 9-digit codes grouped by domain, like Coze Loop's (602... foundation,
 * 601... llm and data). Domains throw AppError; the routes' error handler turns it into the wire
 * envelope. Business errors answer HTTP 200 unless a status is given (auth: 401, limits: 429).
 */

/** Error codes of the foundation domain (shared, "common" ones included). */
export const Codes = {
  noPermission: 602000101,
  unauthenticated: 602000103,
  tooManyRequests: 602000104,
  badRequest: 602000201,
  invalidParam: 602000202,
  bizInvalid: 602000203,
  resourceDuplicated: 602000204,
  resourceNotFound: 602000205,
  networkTimeout: 602000701,
  internal: 602000702,
  dependencyUnavailable: 602000703,
  mysqlError: 602000801,
  redisError: 602000803,
  fileSizeExceedLimit: 602001001,
  userUniqueNameExists: 602002001,
  userEmailExists: 602002002,
  userPasswordWrong: 602002003,
  userNotExist: 602002004,
  llmResourceNotFound: 601505002,
  llmRateLimited: 601505003,
  llmInvalidRequest: 601505007,
  llmCallFailed: 601505009,
  llmParseFailed: 601505010,
  llmTimeout: 601505012,
  promptNotFound: 600501001,
  promptVersionNotExist: 600501002,
  promptUncommitted: 600501003,
  templateParseError: 600501004,
  templateRenderError: 600501005,
  promptLabelUnassociated: 600501007,
  promptKeyExists: 600501008,
  promptVersionExists: 600501009,
  promptLabelExists: 600501010,
  promptHubQpsLimit: 600502001,
  dataNotFound: 601103001,
  datasetNotEditable: 601104006,
  datasetSchemaInvalid: 601104500,
  datasetCapacityFull: 601104501,
  datasetSchemaIncompatible: 601104502,
  datasetConcurrentChange: 601104503,
  datasetNameExists: 601104504,
  datasetItemsInvalid: 601104506,
  datasetItemTooLarge: 601104507,
  evaluatorNotFound: 601204001,
  evaluatorNameExists: 601204002,
  evaluatorVersionExists: 601204003,
  evaluatorVersionNotFound: 601204004,
  evaluatorCodeInvalid: 601204005,
  evaluatorTemplateNotFound: 601204006,
  evaluatorOutputInvalid: 601204007,
  evaluatorCodeFailed: 601204008,
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

/** `invalid param` naming the field. */
export function invalidParam(field: string, reason: string): AppError {
  return new AppError(Codes.invalidParam, `invalid param: ${field}: ${reason}`);
}

/** The caller is not a member of the workspace (or it does not exist: same answer). */
export function noPermission(what = "this workspace"): AppError {
  return new AppError(Codes.noPermission, `no permission: you are not a member of ${what}`);
}

/** No valid session or token. */
export function unauthenticated(reason: string): AppError {
  return new AppError(Codes.unauthenticated, `unauthenticated: ${reason}`, { status: 401 });
}

/** A resource that does not exist (or is not visible to the caller). */
export function notFound(what: string): AppError {
  return new AppError(Codes.resourceNotFound, `${what} not found`);
}
