/**
 * The LLM runtime: calls the catalogue's models through their provider's API. Adapters
 * translate (OpenAI-compatible chat completions, Anthropic messages); this module adds what
 * every call needs: a timeout, the caller's cancellation, errors with llm codes and metering.
 */
import { AppError, Codes } from "../../errors.ts";
import type { Protocol } from "../types.ts";
import { type CallControl, startCall } from "./_call.ts";
import { describeModel, mapProviderError } from "./_errors.ts";
import type { Provider, ProviderDeps } from "./_provider.ts";
import { createReporter, type Reporter } from "./_report.ts";
import type {
  ChatChunk,
  ChatRequest,
  ChatResult,
  LlmRuntime,
  LlmRuntimeOptions,
  Usage,
} from "./types.ts";

export type * from "./types.ts";

/** The timeout of a call when neither the request nor the runtime's options set one. */
export const DEFAULT_TIMEOUT_MS = 120_000;

interface Context {
  providers: Record<Protocol, Provider>;
  report: Reporter;
  defaultTimeoutMs: number;
}

/** Creates the runtime; it holds no connection and reads no configuration. */
export function createLlmRuntime(options: LlmRuntimeOptions = {}): LlmRuntime {
  const deps = {
    fetch: options.fetch,
    maxRetries: options.maxRetries ?? 1,
    logger: options.logger,
  };
  const ctx: Context = {
    providers: routeProtocols(deps),
    report: createReporter(options),
    defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  return { chat: (req) => chat(ctx, req), stream: (req) => stream(ctx, req) };
}

/**
 * A provider whose adapter (and SDK: openai, @anthropic-ai/sdk, ~4 MB of V8 heap each) is
 * loaded on its first call, not at start-up: a server that never calls a model of that
 * protocol never holds it. A failed load is tried again on the next call.
 */
function lazyProvider(load: () => Promise<Provider>): Provider {
  let loaded: Promise<Provider> | undefined;
  const provider = () =>
    loaded ??= load().catch((err) => {
      loaded = undefined;
      throw err;
    });
  return {
    async chat(req, signal) {
      return await (await provider()).chat(req, signal);
    },
    async *stream(req, signal) {
      yield* (await provider()).stream(req, signal);
    },
  };
}

// A Record over every protocol: a new protocol does not compile until it is routed.
function routeProtocols(deps: ProviderDeps): Record<Protocol, Provider> {
  const openAi = lazyProvider(async () =>
    (await import("./_openai.ts")).createOpenAiProvider(deps)
  );
  return {
    openai: openAi,
    ark: openAi,
    deepseek: openAi,
    qwen: openAi,
    ollama: openAi,
    qianfan: openAi,
    gemini: openAi,
    arkbot: openAi,
    claude: lazyProvider(async () =>
      (await import("./_anthropic.ts")).createAnthropicProvider(deps)
    ),
  };
}

async function chat(ctx: Context, req: ChatRequest): Promise<ChatResult> {
  const { started, call } = begin(ctx, req);
  try {
    const result = await providerFor(ctx, req).chat(req, call.signal);
    const latencyMs = ctx.report.succeeded(req, result.usage, started);
    return { ...result, latencyFirstTokenMs: latencyMs };
  } catch (err) {
    throw ctx.report.failed(req, call.fail(err, mapError(req)), started);
  } finally {
    call.end();
  }
}

async function* stream(ctx: Context, req: ChatRequest): AsyncGenerator<ChatChunk> {
  const { started, call } = begin(ctx, req);
  let usage: Usage = { input_tokens: 0, output_tokens: 0 };
  let firstChunkMs: number | undefined;
  try {
    for await (const chunk of providerFor(ctx, req).stream(req, call.signal)) {
      // Chunks the client had already buffered must not outlive a cancellation.
      call.signal.throwIfAborted();
      call.pause();
      firstChunkMs ??= Math.round(performance.now() - started);
      if (chunk.usage) usage = chunk.usage;
      yield chunk;
      call.arm();
    }
  } catch (err) {
    throw ctx.report.failed(req, call.fail(err, mapError(req)), started);
  } finally {
    call.end();
  }
  ctx.report.succeeded(req, usage, started, firstChunkMs);
}

function begin(ctx: Context, req: ChatRequest): { started: number; call: CallControl } {
  const started = performance.now();
  const call = startCall(describeModel(req.model), {
    signal: req.signal,
    timeoutMs: req.timeoutMs ?? ctx.defaultTimeoutMs,
  });
  call.arm();
  return { started, call };
}

function providerFor(ctx: Context, req: ChatRequest): Provider {
  const provider = ctx.providers[req.model.protocol];
  if (!provider) {
    throw new AppError(
      Codes.llmInvalidRequest,
      `LLM call to ${describeModel(req.model)} failed: unsupported protocol`,
    );
  }
  return provider;
}

function mapError(req: ChatRequest): (err: unknown) => AppError {
  return (err) => mapProviderError(err, { model: req.model, apiKey: req.model.apiKey });
}
