/**
 * One provider call's lifetime: a signal that aborts the HTTP request on timeout or when the
 * caller's signal fires, and the memory of which of the two it was, since the SDKs report both
 * as the same abort error.
 */
import { AppError, Codes } from "../../errors.ts";

/** Controls one call. */
export interface CallControl {
  /** Give this to the provider client. */
  readonly signal: AbortSignal;
  /** (Re)starts the timeout: a stream re-arms it after each chunk. */
  arm(): void;
  /** Stops the timeout while the consumer holds a chunk: its slowness is not the provider's. */
  pause(): void;
  /** The error to throw for `err`: a timeout or cancellation when one caused it. */
  fail(err: unknown, mapError: (err: unknown) => AppError): AppError;
  /** Stops the timer and aborts whatever is still open (a stream left early). */
  end(): void;
}

/** Starts controlling a call to `what` (e.g. `model "gpt-4o" (openai)`). */
export function startCall(
  what: string,
  opts: { signal?: AbortSignal; timeoutMs: number },
): CallControl {
  const ctl = new AbortController();
  let cause: "timeout" | "cancelled" | "ended" | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: "timeout" | "cancelled" | "ended") => {
    cause ??= why;
    if (!ctl.signal.aborted) ctl.abort(new DOMException(`LLM call ${why}`, "AbortError"));
  };
  const onCallerAbort = () => stop("cancelled");
  if (opts.signal?.aborted) onCallerAbort();
  else opts.signal?.addEventListener("abort", onCallerAbort, { once: true });

  const pause = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    signal: ctl.signal,
    arm() {
      pause();
      if (!ctl.signal.aborted) timer = setTimeout(() => stop("timeout"), opts.timeoutMs);
    },
    pause,
    fail(err, mapError) {
      if (cause === "timeout") {
        return new AppError(
          Codes.llmTimeout,
          `LLM call to ${what} timed out: no answer within ${opts.timeoutMs} ms`,
        );
      }
      if (cause === "cancelled") {
        return new AppError(Codes.llmCallFailed, `LLM call to ${what} was cancelled by the caller`);
      }
      return mapError(err);
    },
    end() {
      pause();
      opts.signal?.removeEventListener("abort", onCallerAbort);
      stop("ended");
    },
  };
}
