/**
 * Span search latency over 1,000,000 stored spans (issue 4): the spans are written straight
 * into ClickHouse for one workspace over the last 24 h, then filtered span lists are asked
 * for over HTTP (`/v1/loop/spans/search`, the server as a subprocess), one at a time.
 * Usage: search_bench.ts [spans=1000000] [runs=50]
 */
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { normalizeSpan } from "../../domains/observability/normalize.ts";
import { testConfig } from "../_env.ts";
import { startServer } from "../_server.ts";
import { createToken, registerUser } from "../e2e/_client.ts";
import { hexId } from "../e2e/_traces.ts";
import { quantile } from "./_stats.ts";

const total = Number(Deno.args[0] ?? 1_000_000);
const runs = Number(Deno.args[1] ?? 50);
const MODELS = [
  "gpt-4o",
  "gpt-4o-mini",
  "o1",
  "claude-3-5",
  "deepseek-v3",
  "qwen-max",
  "doubao",
  "glm-4",
  "gemini",
  "llama",
];
const WORDS = [
  "weather",
  "paris",
  "invoice",
  "refund",
  "translate",
  "summary",
  "code",
  "poem",
  "sql",
  "travel",
];

const server = await startServer();
const ck = createClickHouse(testConfig().clickhouse);
try {
  const user = await registerUser(server);
  const token = await createToken(server, user.cookie);
  const space = user.spaceId;
  const nowUs = Date.now() * 1000;
  const enc = new TextEncoder();
  const insertStart = performance.now();
  for (let done = 0; done < total;) {
    const n = Math.min(20_000, total - done);
    const lines: string[] = [];
    let traceId = hexId(16);
    let rootId = "0";
    for (let i = 0; i < n; i++) {
      const k = done + i;
      if (k % 5 === 0) [traceId, rootId] = [hexId(16), "0"];
      const spanId = hexId(8);
      const row = normalizeSpan({
        started_at_micros: nowUs - Math.floor((k / total) * 86_400_000_000) - 1,
        duration_micros: 1000 + (k % 5000),
        trace_id: traceId,
        span_id: spanId,
        parent_id: rootId,
        workspace_id: space,
        span_name: k % 5 === 0 ? "agent" : "chat",
        span_type: k % 5 === 0 ? "agent" : "model",
        status_code: k % 20 === 0 ? 500 : 0,
        input: `question about ${WORDS[k % 10]} number ${k}`,
        output: `answer ${k}`,
        tags_string: { model_name: MODELS[k % 10], user_id: `user-${k % 1000}` },
        tags_long: { input_tokens: k % 300, output_tokens: k % 700 },
      }, nowUs);
      if (!("row" in row)) throw new Error("bench span dropped");
      if (k % 5 === 0) rootId = spanId;
      lines.push(JSON.stringify(row.row) + "\n");
    }
    await ck.insertJsonLines("observability_spans", [enc.encode(lines.join(""))]);
    done += n;
  }
  const insertSeconds = (performance.now() - insertStart) / 1000;
  const stored = Number(
    (await ck.query<{ n: string }>(
      "SELECT count() AS n FROM observability_spans WHERE space_id = {space:String}",
      { space },
    ))[0].n,
  );

  const cases: [string, Record<string, unknown>][] = [
    ["root spans, no filter, newest 20", { span_list_type: "root_span" }],
    ["all spans, model_name = gpt-4o AND status = error", {
      span_list_type: "all_span",
      filters: {
        filter_fields: [
          { field_name: "model_name", query_type: "eq", values: ["gpt-4o"] },
          { field_name: "status", query_type: "eq", values: ["error"] },
        ],
      },
    }],
    ["all spans, custom tag user_id = user-7", {
      span_list_type: "all_span",
      filters: { filter_fields: [{ field_name: "user_id", query_type: "eq", values: ["user-7"] }] },
    }],
    ["all spans, input matches 'refund number 99999' OR input_tokens >= 299", {
      span_list_type: "all_span",
      filters: {
        query_and_or: "or",
        filter_fields: [
          { field_name: "input", query_type: "match", values: ["refund number 99999"] },
          { field_name: "input_tokens", query_type: "gte", values: ["299"] },
        ],
      },
    }],
    ["LLM spans, tokens filter, page 2", {
      span_list_type: "llm_span",
      filters: {
        filter_fields: [{ field_name: "output_tokens", query_type: "gt", values: ["600"] }],
      },
      second_page: true,
    }],
  ];
  console.log(`stored ${stored} spans in ${insertSeconds.toFixed(1)} s\n`);
  console.log("| query (24 h window, page size 20) | p50 | p99 |\n|---|---|---|");
  for (const [name, body] of cases) {
    const times: number[] = [];
    const { second_page, ...q } = body;
    for (let i = 0; i < runs + 3; i++) {
      const ask = async (page_token?: string) => {
        const r = await fetch(`${server.url}/v1/loop/spans/search`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({
            workspace_id: space,
            start_time: String(Date.now() - 86_400_000),
            end_time: String(Date.now()),
            page_size: 20,
            page_token,
            ...q,
          }),
        });
        const j = await r.json();
        if (j.code !== 0 || j.data.spans.length === 0) {
          throw new Error(`${name}: ${JSON.stringify(j).slice(0, 200)}`);
        }
        return j.data.next_page_token as string;
      };
      const token1 = second_page ? await ask() : undefined;
      const t0 = performance.now();
      await ask(token1);
      if (i >= 3) times.push(performance.now() - t0); // 3 warm-up runs
    }
    console.log(
      `| ${name} | ${quantile(times, 0.5).toFixed(1)} ms | ${
        quantile(times, 0.99).toFixed(1)
      } ms |`,
    );
  }
} finally {
  await ck.close();
  await server.stop();
}
