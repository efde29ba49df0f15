/**
 * A sample trace for the browser tests, sent as an SDK sends it: an agent whose model call
 * shows an uploaded image (a message part naming the file's storage key, and the file in
 * `object_storage`) and calls a tool, whose own call fails.
 */
import type { ServerProcess } from "../_server.ts";
import { post } from "../e2e/_client.ts";
import { hexId, sdkSpan } from "../e2e/_traces.ts";
import { gradientPng } from "./_png.ts";

/** The ids of the sample trace. */
export interface SampleTrace {
  traceId: string;
  root: string;
  model: string;
  tool: string;
  failing: string;
  imageKey: string;
}

/** Uploads the image and ingests the trace through the SDK routes. */
export async function ingestSampleTrace(
  server: ServerProcess,
  token: string,
  workspaceId: string,
): Promise<SampleTrace> {
  const t: SampleTrace = {
    traceId: hexId(16),
    root: hexId(8),
    model: hexId(8),
    tool: hexId(8),
    failing: hexId(8),
    imageKey: "",
  };
  t.imageKey = `${t.traceId}_${t.model}_input_image_${hexId(8)}`;
  const form = new FormData();
  form.append("workspace_id", workspaceId);
  form.append(
    "file",
    new Blob([await gradientPng(96, 64) as Uint8Array<ArrayBuffer>], { type: "image/png" }),
    t.imageKey,
  );
  const up = await fetch(`${server.url}/v1/loop/files/upload`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const upBody = await up.json();
  if (upBody.code !== 0) throw new Error(`upload: ${JSON.stringify(upBody)}`);

  const now = Date.now() * 1000;
  const base = { workspace_id: workspaceId, trace_id: t.traceId };
  const spans = [
    sdkSpan({
      ...base,
      span_id: t.root,
      span_name: "weather agent",
      span_type: "agent",
      started_at_micros: now - 3_000_000,
      duration_micros: 2_500_000,
      input: "What is the weather where this picture was taken?",
      output: "## Forecast\n\nIt is **18 °C** and sunny in `Paris`.\n\n- light wind\n- no rain",
      tags_string: { user_id: "u-42" },
    }),
    sdkSpan({
      ...base,
      span_id: t.model,
      parent_id: t.root,
      span_name: "chat gpt-4o",
      span_type: "model",
      started_at_micros: now - 2_900_000,
      duration_micros: 1_200_000,
      input: JSON.stringify({
        messages: [
          { role: "system", content: "You are a weather assistant." },
          {
            role: "user",
            parts: [
              { type: "text", text: "Where was this taken, and what is the weather there?" },
              { type: "image_url", image_url: { name: "street.png", url: t.imageKey } },
            ],
          },
        ],
        tools: [{
          type: "function",
          function: {
            name: "get_weather",
            description: "Current weather of a city",
            parameters: '{"type":"object","properties":{"city":{"type":"string"}}}',
          },
        }],
      }),
      output: JSON.stringify({
        choices: [{
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: "",
            tool_calls: [{
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            }],
          },
        }],
      }),
      object_storage: JSON.stringify({
        attachments: [{ field: "input", name: "street.png", type: "image", tos_key: t.imageKey }],
      }),
      tags_string: { model_name: "gpt-4o", model_provider: "openai" },
      tags_long: { input_tokens: 812, output_tokens: 23, tokens: 835 },
      tags_bool: { stream: false },
    }),
    sdkSpan({
      ...base,
      span_id: t.tool,
      parent_id: t.root,
      span_name: "get_weather",
      span_type: "tool",
      started_at_micros: now - 1_600_000,
      duration_micros: 900_000,
      input: '{"city":"Paris"}',
      output: "18 °C, sunny",
    }),
    sdkSpan({
      ...base,
      span_id: t.failing,
      parent_id: t.tool,
      span_name: "fetch forecast",
      span_type: "tool",
      started_at_micros: now - 1_500_000,
      duration_micros: 400_000,
      status_code: 503,
      input: "GET /forecast?city=Paris",
      tags_string: { error: "upstream timeout after 400 ms" },
    }),
  ];
  const r = await post(server, "/v1/loop/traces/ingest", { spans }, { token });
  if (r.body.code !== 0) throw new Error(`ingest: ${JSON.stringify(r.body)}`);
  return t;
}

/** `count` one-span traces started in the last hour, older than the sample trace. */
export async function ingestFillerTraces(
  server: ServerProcess,
  token: string,
  workspaceId: string,
  count: number,
): Promise<void> {
  const now = Date.now() * 1000;
  const spans = Array.from({ length: count }, (_, i) =>
    sdkSpan({
      workspace_id: workspaceId,
      span_name: `filler ${i}`,
      started_at_micros: now - 300_000_000 - i * 1_000_000,
    }));
  const r = await post(server, "/v1/loop/traces/ingest", { spans }, { token });
  if (r.body.code !== 0) throw new Error(`ingest: ${JSON.stringify(r.body)}`);
}

/** How many root spans the workspace has in the last hour (up to 1,000). */
export async function countRootSpans(
  server: ServerProcess,
  token: string,
  workspaceId: string,
): Promise<number> {
  const r = await post(server, "/v1/loop/spans/search", {
    workspace_id: workspaceId,
    start_time: String(Date.now() - 3_600_000),
    end_time: String(Date.now() + 60_000),
    span_list_type: "root_span",
    page_size: 1000,
  }, { token });
  return r.body.data?.spans?.length ?? 0;
}
