/**
 * Provider failures as AppErrors with the llm codes. Both SDKs raise errors that carry the
 * HTTP status and the provider's JSON error body (`error.type`, `error.message`), also for an
 * error event in the middle of a stream (no status then), so one mapping serves both.
 */
import { AppError, Codes } from "../../errors.ts";

const MAX_DETAIL = 500;

/** Names the call in messages: `model "gpt-4o" (openai)`. */
export function describeModel(model: { model: string; protocol: string }): string {
  return `model "${model.model}" (${model.protocol})`;
}

/** Replaces every occurrence of the api key (providers echo it in some error texts). */
export function redact(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join("[redacted]") : text;
}

/** An AppError for whatever a provider client threw; never contains the api key. */
export function mapProviderError(
  err: unknown,
  ctx: { model: { model: string; protocol: string }; apiKey?: string },
): AppError {
  const what = `LLM call to ${describeModel(ctx.model)}`;
  if (err instanceof AppError) {
    if (!ctx.apiKey || !err.message.includes(ctx.apiKey)) return err;
    return new AppError(err.code, redact(err.message, ctx.apiKey), { status: err.status });
  }
  const e = (err ?? {}) as Record<string, unknown>;
  const status = typeof e.status === "number" ? e.status : undefined;
  const type = errorType(e);
  const detail = redact(errorDetail(err), ctx.apiKey);
  const http = status ? ` (HTTP ${status})` : "";
  // Both SDKs leave `name` as "Error"; their class names tell connection failures apart.
  const kind = (err as { constructor?: { name?: string } } | null)?.constructor?.name;

  if (status === 401 || status === 403 || type === "authentication_error") {
    // The provider's own text is left out: some echo (part of) the key they rejected.
    return new AppError(
      Codes.llmCallFailed,
      `${what} failed: the provider rejected the api key${http}`,
    );
  }
  if (status === 429 || type === "rate_limit_error") {
    return new AppError(Codes.llmRateLimited, `${what} was rate limited${http}: ${detail}`);
  }
  if (status === 408 || kind === "APIConnectionTimeoutError") {
    return new AppError(Codes.llmTimeout, `${what} timed out at the provider${http}`);
  }
  if (status === 404) {
    return new AppError(
      Codes.llmCallFailed,
      `${what} failed: not found (check the model's base_url and name)${http}: ${detail}`,
    );
  }
  if (
    (status !== undefined && status >= 400 && status < 500) || type === "invalid_request_error"
  ) {
    return new AppError(
      Codes.llmInvalidRequest,
      `${what} was rejected as invalid${http}: ${detail}`,
    );
  }
  if (kind === "APIConnectionError") {
    const reason = redact(String(causeMessage(e)), ctx.apiKey);
    return new AppError(
      Codes.llmCallFailed,
      `${what} failed: could not reach the provider: ${reason}`,
    );
  }
  if (err instanceof SyntaxError) {
    return new AppError(Codes.llmParseFailed, `${what} failed: unreadable answer: ${detail}`);
  }
  return new AppError(Codes.llmCallFailed, `${what} failed${http}: ${detail}`);
}

// Anthropic bodies are `{type: "error", error: {type, message}}`; the OpenAI client keeps
// only the inner `error` object; mid-stream error events have the same shapes.
function errorType(e: Record<string, unknown>): string | undefined {
  const body = e.error as Record<string, unknown> | undefined;
  const inner = body?.error as Record<string, unknown> | undefined;
  const t = inner?.type ?? body?.type ?? e.type;
  return typeof t === "string" && t !== "error" ? t : undefined;
}

function errorDetail(err: unknown): string {
  const e = (err ?? {}) as Record<string, unknown>;
  const body = e.error as Record<string, unknown> | undefined;
  const inner = body?.error as Record<string, unknown> | undefined;
  const msg = inner?.message ?? body?.message ??
    (err instanceof Error ? err.message : String(err));
  const text = typeof msg === "string" ? msg : JSON.stringify(msg);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}...` : text;
}

function causeMessage(e: Record<string, unknown>): unknown {
  const cause = e.cause as { message?: unknown } | undefined;
  return cause?.message ?? e.message ?? "";
}
