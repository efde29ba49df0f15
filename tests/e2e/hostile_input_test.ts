/**
 * Input that once reached a 500 (found by fuzzing): times past what µs in an Int64 hold, a
 * file part's overlong Content-Type, JSON nested past what the databases accept, and span
 * filters nested until validation overflowed the stack. Each is now `invalid param` (or the
 * stream's error event) naming the field, and changes nothing.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { multipartBody } from "./_multipart.ts";
import { P } from "./_prompts.ts";

const INVALID = 602000202;
const HUGE = "7300000000000000001";

/** `{"a":{"a":...}}` nested `depth` levels (objects), innermost `{}`. */
function nested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

/** A filter tree with `depth` levels of sub_filter. */
function deepFilter(depth: number): unknown {
  let f: unknown = {
    filter_fields: [{ field_name: "span_name", query_type: "eq", values: ["x"] }],
  };
  for (let i = 1; i < depth; i++) {
    f = {
      query_and_or: "and",
      filter_fields: [{ field_name: "span_name", query_type: "eq", values: ["x"], sub_filter: f }],
    };
  }
  return f;
}

Deno.test({
  name: "e2e hostile input: once-500s are invalid param and change nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const now = String(Date.now());
      const expectInvalid = (
        r: { status: number; body: { code: number; msg: string } },
        field: RegExp,
      ) => {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.code, INVALID, JSON.stringify(r.body));
        assert.match(r.body.msg, field);
      };

      await t.step("times beyond the µs Int64 range", async () => {
        const trace = "0123456789abcdef0123456789abcdef";
        const get = await fetch(
          `${server.url}/api/observability/v1/traces/${trace}?workspace_id=${a.spaceId}` +
            `&start_time=${HUGE}&end_time=${HUGE}`,
          { headers: { cookie: a.cookie } },
        );
        expectInvalid({ status: get.status, body: await get.json() }, /start_time/);
        const list = await post(server, "/api/observability/v1/spans/list", {
          workspace_id: a.spaceId,
          start_time: "0",
          end_time: HUGE,
        }, a);
        expectInvalid(list, /end_time/);
        for (const path of ["/v1/loop/spans/search", "/v1/loop/traces/search"]) {
          const r = await post(server, path, {
            workspace_id: a.spaceId,
            trace_id: trace,
            start_time: HUGE,
            end_time: now,
            limit: 10,
          }, { token });
          expectInvalid(r, /start_time/);
        }
        const negative = await post(server, "/v1/loop/spans/search", {
          workspace_id: a.spaceId,
          start_time: "-5",
          end_time: now,
        }, { token });
        expectInvalid(negative, /start_time/);
      });

      await t.step("a file part's Content-Type over 255 characters", async () => {
        const key = `ct/${crypto.randomUUID()}.bin`;
        const form = multipartBody([
          { name: "workspace_id", value: a.spaceId },
          {
            name: "file",
            filename: key,
            data: new TextEncoder().encode("hello"),
            contentType: `text/${"a".repeat(300)}`,
          },
        ]);
        const res = await fetch(`${server.url}/v1/loop/files/upload`, {
          method: "POST",
          headers: { "content-type": form.type, authorization: `Bearer ${token}` },
          body: form.body,
        });
        expectInvalid({ status: res.status, body: await res.json() }, /Content-Type/);
        const signed = await post(server, "/api/foundation/v1/sign_download_files", {
          keys: [key],
          workspace_id: a.spaceId,
        }, a);
        const got = await fetch(signed.body.uris[0]);
        await got.body?.cancel();
        assert.equal(got.status, 404, "nothing was stored");
      });

      await t.step(
        "JSON nested too deeply: bodies past 64 levels, stored JSON past 30",
        async () => {
          const created = await post(server, P, {
            workspace_id: a.spaceId,
            prompt_key: `deep_${crypto.randomUUID().slice(0, 6)}`,
            prompt_name: "deep",
            draft_detail: { prompt_template: { messages: [{ role: "user", content: "v1" }] } },
          }, a);
          assert.equal(created.body.code, 0, JSON.stringify(created.body));
          const id = created.body.prompt_id;
          const draftOf = async () =>
            JSON.stringify(
              (await fetch(
                `${server.url}${P}/${id}?workspace_id=${a.spaceId}&with_draft=true`,
                { headers: { cookie: a.cookie } },
              ).then((r) => r.json())).prompt.prompt_draft.detail,
            );
          const before = await draftOf();
          const deep = nested(1_000);
          const stored = nested(31); // within the body's bound, past the stored bound
          const shapes = (v: unknown) => [
            { mcp_config: v },
            { model_config: { thinking: v } },
            { model_config: { param_config_values: [v] } },
          ];
          for (const [value, bound] of [[deep, 64], [stored, 30]] as const) {
            for (const detail of shapes(value)) {
              const r = await post(server, `${P}/${id}/drafts/save`, {
                prompt_draft: { detail },
              }, a);
              expectInvalid(r, new RegExp(`nested deeper than ${bound} levels`));
            }
          }
          const ctx = await post(server, `${P}/${id}/debug_context/save`, {
            workspace_id: a.spaceId,
            debug_context: { x: deep },
          }, a);
          expectInvalid(ctx, /nested deeper than 64 levels/);
          const ctxStored = await post(server, `${P}/${id}/debug_context/save`, {
            workspace_id: a.spaceId,
            debug_context: { x: stored },
          }, a);
          expectInvalid(ctxStored, /debug_context: JSON nested deeper than 30 levels/);
          assert.equal(await draftOf(), before, "the draft is unchanged");
          // Just inside the bound is fine, and every database stores it.
          const ok = await post(server, `${P}/${id}/drafts/save`, {
            prompt_draft: { detail: { mcp_config: nested(29) } },
          }, a);
          assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
          // The SDK routes and the stream read bodies the same way.
          const sdk = await post(server, "/v1/loop/prompts/mget", {
            workspace_id: a.spaceId,
            queries: [{ prompt_key: "x", extra: deep }],
          }, { token });
          expectInvalid(sdk, /nested deeper/);
        },
      );

      await t.step("span filters nested deeper than 5 levels", async () => {
        for (const depth of [6, 700]) {
          const r = await post(server, "/v1/loop/spans/search", {
            workspace_id: a.spaceId,
            start_time: String(Date.now() - 60_000),
            end_time: now,
            filters: deepFilter(depth),
          }, { token });
          // Past the body's bound (700 levels are 2,100 JSON levels) or the filters' own.
          expectInvalid(r, depth === 6 ? /filters nested deeper than 5/ : /nested deeper/);
        }
        const ok = await post(server, "/v1/loop/spans/search", {
          workspace_id: a.spaceId,
          start_time: String(Date.now() - 60_000),
          end_time: now,
          filters: deepFilter(5),
        }, { token });
        assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
      });
    } finally {
      await server.stop();
    }
  },
});
