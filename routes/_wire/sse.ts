/**
 * Server-Sent Events exactly as the official SDKs parse them (WIRE.md): `data: <one line of
 * JSON>\n\n` per event, LF only, no `[DONE]`, no comments or keep-alives; a failure is
 * `event: error\ndata: {"code":N,"msg":"..."}\n\n` and ends the stream.
 */
import { AppError, Codes } from "../../domains/errors.ts";
import { ServiceUnavailableError } from "../../infra/errors.ts";
import type { Logger } from "../../infra/log.ts";
import { wireStringify } from "./json.ts";

/** A streamed answer of `events`, ending with an error event if the iteration throws. */
export function sseResponse(events: AsyncIterable<unknown>, logger?: Logger): Response {
  const enc = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      try {
        const { done, value } = await iterator.next();
        if (done) return ctrl.close();
        ctrl.enqueue(enc.encode(`data: ${wireStringify(value)}\n\n`));
      } catch (err) {
        const { code, msg } = errorOf(err, logger);
        ctrl.enqueue(enc.encode(`event: error\ndata: ${JSON.stringify({ code, msg })}\n\n`));
        ctrl.close();
      }
    },
    async cancel() {
      // The client went away: stopping the iteration aborts the model call.
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
    },
  });
}

function errorOf(err: unknown, logger?: Logger): { code: number; msg: string } {
  if (err instanceof AppError) return { code: err.code, msg: err.message };
  if (err instanceof ServiceUnavailableError) {
    return {
      code: Codes.dependencyUnavailable,
      msg: `${err.service} is unavailable, try again later`,
    };
  }
  logger?.error("stream failed", { error: err instanceof Error ? err.message : String(err) });
  return { code: Codes.internal, msg: "Internal error" };
}
