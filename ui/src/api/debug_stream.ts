/**
 * The playground's streamed call, `debug_streaming`, which the JSON client does not cover:
 * a POST read with a stream reader, yielding each event as it arrives. A request refused
 * before the stream starts answers `{code, msg}` JSON; a failure during the run is an `error`
 * event; both reject with an ApiError. Aborting `signal` (the Stop button) ends the call, and
 * the server stops the model call.
 */
import { ApiError } from "./client.ts";
import type { Body } from "./types.ts";
import type { components } from "./schema.gen.ts";
import { readSse } from "../lib/sse.ts";

const PATH = "/api/prompt/v1/prompts/{prompt_id}/debug_streaming";

/** What debug_streaming takes. */
export type DebugRequest = Body<"post", typeof PATH>;

/** One streamed event. */
export type DebugStreamEvent = components["schemas"]["DebugStreamingEvent"];

/** Runs a draft; yields the events of the run. */
export async function* debugStream(
  promptId: string,
  body: DebugRequest,
  signal: AbortSignal,
): AsyncGenerator<DebugStreamEvent> {
  const res = await fetch(PATH.replace("{prompt_id}", encodeURIComponent(promptId)), {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Accept": "text/event-stream",
      "Agw-Js-Conv": "str",
      "Content-Type": "application/json",
    },
    body: JSON.stringify(body),
    signal,
  });
  const type = res.headers.get("content-type") ?? "";
  if (!res.ok || !type.startsWith("text/event-stream") || !res.body) {
    const answer = await res.json().catch(() => undefined) as
      | { code?: number; msg?: string }
      | undefined;
    throw new ApiError(
      typeof answer?.code === "number" ? answer.code : -1,
      answer?.msg || `${res.status} ${res.statusText}`,
      res.status,
    );
  }
  for await (const e of readSse(res.body)) {
    if (e.event === "error") {
      const d = e.data as { code?: number; msg?: string };
      throw new ApiError(d?.code ?? -1, d?.msg ?? "the run failed", res.status);
    }
    yield e.data as DebugStreamEvent;
  }
}
