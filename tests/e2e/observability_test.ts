/**
 * Observability end to end over HTTP on the real services: SDK-format spans, an OTLP JSON
 * trace and an OTLP protobuf+gzip trace go in; search and the trace view give every field
 * back; filters with hostile values; workspace isolation; annotations.
 */
import assert from "node:assert/strict";
import { ExportTraceServiceRequest } from "../../domains/observability/otlp/proto.ts";
import { eventually } from "../_env.ts";
import { startServer } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "./_client.ts";
import {
  checkFixtureTrace,
  gzip,
  hexId,
  otlpFixture,
  sdkSpan,
  searchTrace,
  toProtoObject,
  window,
} from "./_traces.ts";

Deno.test({
  name: "e2e observability: SDK, OTLP JSON and OTLP protobuf+gzip in; search and trace out",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // Decoding Workers asked for explicitly: the default on a two-core machine is none.
    const server = await startServer({ COZE_LOOP_OTLP_WORKERS: "2" });
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const traceId = hexId(16);
      const rootId = hexId(8);
      const childId = hexId(8);
      const started = Date.now() * 1000 - 5_000_000;

      await t.step("SDK spans are accepted with code 0, bad ones dropped not failed", async () => {
        const r = await post(server, "/v1/loop/traces/ingest", {
          spans: [
            sdkSpan({
              workspace_id: a.spaceId,
              trace_id: traceId,
              span_id: rootId,
              started_at_micros: started,
              duration_micros: 3_000_000,
              span_name: "agent run",
              span_type: "agent",
              input: '{"question":"hi"}',
              output: "answer",
              log_id: "log-abc",
              service_name: "my-service",
              tags_string: { user_id: "u-1", "quote'tag": 'it\'s "quoted"' },
              tags_long: { retries: 3 },
              tags_double: { score: 0.5 },
              tags_bool: { cached: true },
              system_tags_string: { runtime: '{"language":"ts"}' },
            }),
            sdkSpan({
              workspace_id: a.spaceId,
              trace_id: traceId,
              span_id: childId,
              parent_id: rootId,
              started_at_micros: started + 1000,
              duration_micros: undefined,
              duration: 2_000_000, // an older client's field
              span_name: "chat",
              span_type: "model",
              status_code: 500,
              input: "prompt",
              output: "",
              tags_string: {
                model_name: "gpt-4o",
                model_provider: "openai",
                error: "rate limited",
              },
              tags_long: { input_tokens: 10, output_tokens: 20, tokens: 30 },
            }),
            { trace_id: "nope" },
            "not a span",
          ],
        }, { token });
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { code: 0, msg: "" });
        assert.equal(r.res.headers.get("x-spans-accepted"), "2");
        assert.equal(r.res.headers.get("x-spans-dropped"), "2");
      });

      await t.step("they read back with every field intact", async () => {
        const spans = await eventually(async () => {
          const s = await searchTrace(server, token, a.spaceId, traceId);
          return s.length === 2 ? s : null;
        }, { what: "2 spans queryable", timeoutMs: 30_000 });
        const root = spans.find((s) => s.span_id === rootId);
        const child = spans.find((s) => s.span_id === childId);
        assert.ok(root && child);
        assert.equal(root.parent_id, "0");
        assert.equal(child.parent_id, rootId);
        assert.equal(root.span_name, "agent run");
        assert.equal(root.span_type, "agent");
        assert.equal(root.type, "agent");
        assert.equal(root.started_at, String(Math.floor(started / 1000)));
        assert.equal(root.duration, "3000");
        assert.equal(child.duration, "2000");
        assert.equal(root.status, "success");
        assert.equal(child.status, "error");
        assert.equal(child.status_code, 500);
        assert.equal(root.input, '{"question":"hi"}');
        assert.equal(root.output, "answer");
        assert.equal(root.logid, "log-abc");
        assert.equal(root.service_name, "my-service");
        assert.deepEqual(root.tags_string, { user_id: "u-1", "quote'tag": 'it\'s "quoted"' });
        assert.deepEqual(root.tags_long, { retries: "3" });
        assert.deepEqual(root.tags_double, { score: 0.5 });
        assert.deepEqual(root.tags_bool, { cached: true });
        assert.deepEqual(root.system_tags_string, { runtime: '{"language":"ts"}' });
        assert.equal(child.tags_string.error, "rate limited");
        assert.deepEqual(child.tags_long, {
          input_tokens: "10",
          output_tokens: "20",
          tokens: "30",
        });
        const web = await post(
          server,
          `/api/observability/v1/traces/${traceId}?workspace_id=${a.spaceId}&start_time=${
            Date.now() - 3_600_000
          }&end_time=${Date.now()}`,
          undefined,
          a,
          "GET",
        );
        assert.equal(web.body.code, 0, JSON.stringify(web.body));
        assert.equal(web.body.spans.length, 2);
        assert.deepEqual(web.body.traces_advance_info.tokens, { input: "10", output: "20" });
      });

      await t.step("an OTLP JSON trace", async () => {
        const { doc, traceId: otlpTrace } = await otlpFixture();
        const res = await fetch(`${server.url}/v1/loop/opentelemetry/v1/traces`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "cozeloop-workspace-id": a.spaceId,
          },
          body: JSON.stringify(doc),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        assert.deepEqual(await res.json(), {});
        const spans = await eventually(async () => {
          const s = await searchTrace(server, token, a.spaceId, otlpTrace);
          return s.length === 3 ? s : null;
        }, { what: "the OTLP JSON trace", timeoutMs: 30_000 });
        checkFixtureTrace(spans);
      });

      await t.step("an OTLP protobuf trace, gzip-compressed", async () => {
        const { doc, traceId: otlpTrace } = await otlpFixture();
        const bytes = ExportTraceServiceRequest.encode(
          ExportTraceServiceRequest.fromObject(toProtoObject(doc)),
        ).finish();
        const res = await fetch(`${server.url}/v1/loop/opentelemetry/v1/traces`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/x-protobuf",
            "content-encoding": "gzip",
            "cozeloop-workspace-id": a.spaceId,
          },
          body: await gzip(bytes) as Uint8Array<ArrayBuffer>,
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/x-protobuf");
        await res.arrayBuffer();
        const spans = await eventually(async () => {
          const s = await searchTrace(server, token, a.spaceId, otlpTrace);
          return s.length === 3 ? s : null;
        }, { what: "the OTLP protobuf trace", timeoutMs: 30_000 });
        checkFixtureTrace(spans);
      });

      await t.step("OTLP bodies are decoded in workers (inside the sandbox too)", () => {
        assert.match(server.logs(), /"msg":"OTLP decoding workers started"/);
        assert.doesNotMatch(server.logs(), /OTLP decoding workers failed/);
      });

      await t.step("span search filters, paging and hostile values", async () => {
        const search = (body: Record<string, unknown>, who: TestUser = a) =>
          post(server, "/api/observability/v1/spans/list", {
            workspace_id: a.spaceId,
            ...window(),
            ...body,
          }, who);
        const llm = await search({
          span_list_type: "llm_span",
          filters: {
            filter_fields: [{ field_name: "model_name", query_type: "eq", values: ["gpt-4o"] }],
          },
        });
        assert.equal(llm.body.code, 0, JSON.stringify(llm.body));
        assert.ok(llm.body.spans.some((s: { span_id: string }) => s.span_id === childId));
        const errors = await search({
          span_list_type: "all_span",
          filters: {
            filter_fields: [{ field_name: "status", query_type: "eq", values: ["error"] }, {
              field_name: "trace_id",
              query_type: "eq",
              values: [traceId],
            }],
          },
        });
        assert.deepEqual(errors.body.spans.map((s: { span_id: string }) => s.span_id), [childId]);
        const quoted = await search({
          span_list_type: "all_span",
          filters: {
            filter_fields: [{
              field_name: "quote'tag",
              query_type: "eq",
              values: ['it\'s "quoted"'],
            }],
          },
        });
        assert.deepEqual(
          quoted.body.spans.map((s: { span_id: string }) => s.span_id),
          [rootId],
          "quotes match literally",
        );
        const oddName = await search({
          span_list_type: "all_span",
          filters: {
            filter_fields: [{ field_name: "x') OR 1=1; DROP TABLE y --", query_type: "exist" }],
          },
        });
        assert.equal(oddName.body.code, 0, "a field name is a parameter too");
        assert.deepEqual(oddName.body.spans, []);
        for (
          const hostile of ["') OR 1=1 --", "\\' OR '1'='1", "x".repeat(4000), "%", "_", "\u0000"]
        ) {
          const r = await search({
            span_list_type: "all_span",
            filters: {
              query_and_or: "or",
              filter_fields: [{ field_name: "span_name", query_type: "eq", values: [hostile] }, {
                field_name: "input",
                query_type: "match",
                values: [hostile],
              }],
            },
          });
          assert.equal(r.body.code, 0, JSON.stringify(r.body).slice(0, 300));
          assert.deepEqual(
            r.body.spans,
            [],
            `nothing matches ${JSON.stringify(hostile.slice(0, 20))}`,
          );
        }
        for (
          const filters of [
            { filter_fields: [{ field_name: "span_name", query_type: "drop", values: ["x"] }] },
            {
              filter_fields: [{
                field_name: "bad\u0001name",
                query_type: "eq",
                values: ["x"],
              }],
            },
            {
              filter_fields: [{
                field_name: "status_code",
                query_type: "eq",
                values: ["1) OR (1=1"],
              }],
            },
            { filter_fields: [{ field_name: "x", query_type: "eq", values: ["x".repeat(5000)] }] },
            { filter_fields: [{ field_name: "x", unknown_key: 1 }] },
            { nope: [] },
          ]
        ) {
          const r = await search({ filters });
          assert.equal(r.body.code, 602000202, JSON.stringify(r.body).slice(0, 300));
        }
        const page1 = await search({ span_list_type: "all_span", page_size: 2 });
        assert.equal(page1.body.spans.length, 2);
        assert.equal(page1.body.has_more, true);
        const page2 = await search({
          span_list_type: "all_span",
          page_size: 2,
          page_token: page1.body.next_page_token,
        });
        const ids1 = page1.body.spans.map((s: { span_id: string }) => s.span_id);
        const ids2 = page2.body.spans.map((s: { span_id: string }) => s.span_id);
        assert.ok(
          ids2.length > 0 && ids2.every((id: string) => !ids1.includes(id)),
          "pages do not overlap",
        );
        const sdk = await post(server, "/v1/loop/spans/search", {
          workspace_id: a.spaceId,
          ...window(),
          span_list_type: "root_span",
          page_size: 50,
        }, { token });
        assert.equal(sdk.body.code, 0);
        assert.ok(sdk.body.data.spans.every((s: { parent_id: string }) => s.parent_id === "0"));
        const meta = await post(
          server,
          `/api/observability/v1/traces/meta_info?workspace_id=${a.spaceId}`,
          undefined,
          a,
          "GET",
        );
        assert.equal(meta.body.code, 0);
        assert.equal(meta.body.field_metas.model_name.value_type, "string");
      });

      await t.step(
        "workspace isolation: B can neither write into nor read A's workspace",
        async () => {
          const b = await registerUser(server);
          const bToken = await createToken(server, b.cookie);
          const foreignTrace = hexId(16);
          const r = await post(server, "/v1/loop/traces/ingest", {
            spans: [
              sdkSpan({ workspace_id: a.spaceId, trace_id: foreignTrace, span_name: "intruder" }),
            ],
          }, { token: bToken });
          assert.equal(r.body.code, 0, "never a non-zero code for a batch");
          assert.equal(r.res.headers.get("x-spans-dropped"), "1");
          const otlp = await fetch(`${server.url}/v1/loop/opentelemetry/v1/traces`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${bToken}`,
              "content-type": "application/json",
              "cozeloop-workspace-id": a.spaceId,
            },
            body: JSON.stringify((await otlpFixture()).doc),
          });
          const partial = await otlp.json();
          assert.equal(
            partial.partialSuccess?.rejectedSpans ?? partial.partial_success?.rejected_spans,
            "3",
          );
          const read = await post(server, "/v1/loop/traces/search", {
            workspace_id: a.spaceId,
            trace_id: traceId,
            ...window(),
            limit: 10,
          }, { token: bToken });
          assert.equal(read.body.code, 602000101);
          const list = await post(server, "/api/observability/v1/spans/list", {
            workspace_id: a.spaceId,
            ...window(),
          }, b);
          assert.equal(list.body.code, 602000101);
          await new Promise((r) => setTimeout(r, 2_000));
          assert.deepEqual(
            await searchTrace(server, token, a.spaceId, foreignTrace),
            [],
            "nothing was written",
          );
        },
      );
    } finally {
      await server.stop();
    }
  },
});
