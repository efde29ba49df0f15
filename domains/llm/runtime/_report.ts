/**
 * What the runtime tells about each finished call: a log line (never the api key, which no
 * message contains) and the usage callback for metering.
 */
import type { Logger } from "../../../infra/log.ts";
import type { AppError } from "../../errors.ts";
import type { ChatRequest, LlmRuntimeOptions, Usage } from "./types.ts";

/** Reports the outcome of calls. */
export interface Reporter {
  /** Logs a failed call; returns the error to throw. */
  failed(req: ChatRequest, err: AppError, started: number): AppError;
  /** Logs and meters a successful call; returns its latency in ms. */
  succeeded(req: ChatRequest, usage: Usage, started: number, firstChunkMs?: number): number;
}

/** A reporter writing to `logger` and calling `onUsage`. */
export function createReporter(
  opts: { logger?: Logger; onUsage?: LlmRuntimeOptions["onUsage"] },
): Reporter {
  const { logger, onUsage } = opts;
  const since = (started: number) => Math.round(performance.now() - started);
  return {
    failed(req, err, started) {
      logger?.warn("llm call failed", {
        modelId: req.model.id,
        protocol: req.model.protocol,
        code: err.code,
        error: err.message,
        latencyMs: since(started),
      });
      return err;
    },
    succeeded(req, usage, started, firstChunkMs) {
      const latencyMs = since(started);
      logger?.debug("llm call", {
        modelId: req.model.id,
        protocol: req.model.protocol,
        latencyMs,
        firstChunkMs,
        ...usage,
      });
      try {
        onUsage?.(req.model.id, usage, latencyMs);
      } catch (err) {
        logger?.error("llm: the usage callback failed", { error: err });
      }
      return latencyMs;
    },
  };
}
