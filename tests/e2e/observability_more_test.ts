/**
 * Observability end to end, continued: payloads stored as files come back as presigned URLs,
 * and annotations (SDK and web), including one made before its span is stored.
 */
import assert from "node:assert/strict";
import { eventually } from "../_env.ts";
import { startServer } from "../_server.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { hexId, sdkSpan, searchTrace } from "./_traces.ts";

Deno.test({
  name: "e2e observability: payload URLs and annotations",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const traceId = hexId(16);
      const rootId = hexId(8);
      const childId = hexId(8);
      const r = await post(server, "/v1/loop/traces/ingest", {
        spans: [
          sdkSpan({ workspace_id: a.spaceId, trace_id: traceId, span_id: rootId }),
          sdkSpan({
            workspace_id: a.spaceId,
            trace_id: traceId,
            span_id: childId,
            parent_id: rootId,
          }),
        ],
      }, { token });
      assert.equal(r.body.code, 0);
      await eventually(
        async () => (await searchTrace(server, token, a.spaceId, traceId)).length === 2,
        {
          what: "the trace stored",
        },
      );

      await t.step("large payloads in object storage come back as presigned URLs", async () => {
        const key = `${traceId}_${rootId}_input_large_text`;
        const form = new FormData();
        form.append("workspace_id", a.spaceId);
        form.append("file", new Blob(["a very large input"]), key);
        const up = await fetch(`${server.url}/v1/loop/files/upload`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        assert.equal((await up.json()).code, 0);
        const spanId = hexId(8);
        await post(server, "/v1/loop/traces/ingest", {
          spans: [sdkSpan({
            workspace_id: a.spaceId,
            trace_id: traceId,
            span_id: spanId,
            parent_id: rootId,
            input: "a very la",
            object_storage: JSON.stringify({
              input_tos_key: key,
              attachments: [{ field: "input", name: "x", type: "text", tos_key: key }],
            }),
          })],
        }, { token });
        const span = await eventually(async () => {
          const all = await searchTrace(server, token, a.spaceId, traceId);
          return all.find((x) => x.span_id === spanId) ?? null;
        }, { what: "the span with a payload file" });
        assert.ok(span.attr_tos?.input_data_url, JSON.stringify(span.attr_tos));
        assert.equal(
          await (await fetch(span.attr_tos.input_data_url)).text(),
          "a very large input",
        );
        const viaAttachment = await fetch(span.attr_tos.multimodal_data[key]);
        assert.equal(await viaAttachment.text(), "a very large input");
      });

      await t.step("the web list shows clipped previews unless without_clip", async () => {
        const big = sdkSpan({
          workspace_id: a.spaceId,
          input: "i".repeat(10_000),
          output: "o".repeat(3_000),
        });
        await post(server, "/v1/loop/traces/ingest", { spans: [big] }, { token });
        await eventually(
          async () => (await searchTrace(server, token, a.spaceId, big.trace_id)).length === 1,
          { what: "the large span stored" },
        );
        const list = (withoutClip?: boolean) =>
          post(server, "/api/observability/v1/spans/list", {
            workspace_id: a.spaceId,
            start_time: String(Date.now() - 3_600_000),
            end_time: String(Date.now() + 60_000),
            filters: {
              filter_fields: [{ field_name: "trace_id", query_type: "eq", values: [big.trace_id] }],
            },
            span_list_type: "all_span",
            ...(withoutClip === undefined ? {} : { without_clip: withoutClip }),
          }, a);
        const clipped = (await list()).body.spans[0];
        assert.equal(clipped.input.length, 2_048);
        assert.equal(clipped.output.length, 2_048);
        const whole = (await list(true)).body.spans[0];
        assert.equal(whole.input.length, 10_000);
        assert.equal(whole.output.length, 3_000);
        // The trace view reads whole spans.
        const [full] = await searchTrace(server, token, a.spaceId, big.trace_id);
        assert.equal(full.input.length, 10_000);
      });

      await t.step("annotations: SDK and web, including a span not stored yet", async () => {
        const created = await post(server, "/v1/loop/annotations", {
          workspace_id: a.spaceId,
          trace_id: traceId,
          span_id: childId,
          annotation_key: "quality",
          annotation_value: "0.9",
          annotation_value_type: "double",
          reasoning: "good",
        }, { token });
        assert.equal(created.body.code, 0, JSON.stringify(created.body));
        const list = () =>
          post(server, "/api/observability/v1/annotations/list", {
            workspace_id: a.spaceId,
            trace_id: traceId,
            span_id: childId,
          }, a);
        const one = await eventually(async () => {
          const l = await list();
          return l.body.annotations?.length === 1 ? l.body.annotations[0] : null;
        }, { what: "annotation listed" });
        assert.equal(one.key, "quality");
        assert.equal(one.value, "0.9");
        assert.equal(one.reasoning, "good");
        const manual = await post(server, "/api/observability/v1/annotations", {
          annotation: {
            workspace_id: a.spaceId,
            trace_id: traceId,
            span_id: childId,
            key: "label",
            value: "bad",
            value_type: "string",
          },
        }, a);
        assert.equal(manual.body.code, 0, JSON.stringify(manual.body));
        const id = manual.body.annotation_id;
        const upd = await post(
          server,
          `/api/observability/v1/annotations/${id}`,
          {
            annotation: {
              workspace_id: a.spaceId,
              trace_id: traceId,
              span_id: childId,
              key: "label",
              value: "good",
              value_type: "string",
            },
          },
          a,
          "PUT",
        );
        assert.equal(upd.body.code, 0, JSON.stringify(upd.body));
        const two = (await list()).body.annotations;
        assert.deepEqual(
          two.map((x: { key: string; value: string }) => `${x.key}=${x.value}`).sort(),
          ["label=good", "quality=0.9"],
        );
        const del = await fetch(
          `${server.url}/v1/loop/annotations?workspace_id=${a.spaceId}&trace_id=${traceId}&span_id=${childId}&annotation_key=quality`,
          { method: "DELETE", headers: { authorization: `Bearer ${token}` } },
        );
        assert.equal((await del.json()).code, 0);
        assert.deepEqual((await list()).body.annotations.map((x: { key: string }) => x.key), [
          "label",
        ]);

        // Annotate first, send the span afterwards: the annotation waits for it.
        const lateTrace = hexId(16);
        const lateSpan = hexId(8);
        const early = await post(server, "/v1/loop/annotations", {
          workspace_id: a.spaceId,
          trace_id: lateTrace,
          span_id: lateSpan,
          annotation_key: "early",
          annotation_value: "yes",
        }, { token });
        assert.equal(early.body.code, 0);
        await post(server, "/v1/loop/traces/ingest", {
          spans: [sdkSpan({ workspace_id: a.spaceId, trace_id: lateTrace, span_id: lateSpan })],
        }, { token });
        const late = await eventually(async () => {
          const l = await post(server, "/api/observability/v1/annotations/list", {
            workspace_id: a.spaceId,
            trace_id: lateTrace,
            span_id: lateSpan,
          }, a);
          return l.body.annotations?.length === 1 ? l.body.annotations[0] : null;
        }, { what: "the early annotation stored once its span arrived", timeoutMs: 60_000 });
        assert.equal(late.key, "early");
      });
    } finally {
      await server.stop();
    }
  },
});
