/**
 * What the official SDKs send and expect, over HTTP (the JS SDK cannot be installed here, so
 * its request shapes are covered by these; the Python and Go SDKs run in tests/sdk/): null
 * and empty fields mean absent, answers cached for one query never serve another, content
 * parts in the SDK shape both ways, variable_defs' desc, unset variables, streaming errors as
 * SSE error events, trace context, log ids on every answer, the prompt list, and
 * case-insensitive object_storage keys.
 */
import assert from "node:assert/strict";
import { eventually } from "../_env.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { P, parseEvents, setup, sse, vars } from "./_prompts.ts";
import { hexId, sdkSpan, searchTrace } from "./_traces.ts";

const MGET = "/v1/loop/prompts/mget";
const EXECUTE = "/v1/loop/prompts/execute";

Deno.test({
  name: "e2e SDK wire: what the official SDKs send and expect",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // A low prompt hub rate (per workspace) so that a burst meets it.
    const { llm, server, models } = await setup({ COZE_LOOP_PROMPT_HUB_QPS: "20" });
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const key = `wire_${crypto.randomUUID().slice(0, 6)}`;
      const created = await post(server, P, {
        workspace_id: a.spaceId,
        prompt_key: key,
        prompt_name: key,
        draft_detail: {
          prompt_template: {
            template_type: "normal",
            messages: [
              { role: "system", content: "Topic: {{topic}}." },
              { role: "placeholder", content: "history" },
              {
                role: "user",
                parts: [
                  { type: "text", text: "Look: {{question}}" },
                  { type: "image_url", image_url: { url: "https://img.example/cat.png" } },
                  { type: "multi_part_variable", text: "media" },
                ],
              },
            ],
            variable_defs: [
              { key: "topic", type: "string" },
              { key: "question", type: "string", desc: "what to ask" },
              { key: "history", type: "placeholder" },
              { key: "media", type: "multi_part" },
            ],
          },
          model_config: { model_id: "1" },
        },
      }, a);
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      const promptId = created.body.prompt_id;
      const commit = async (version: string) => {
        const r = await post(server, `${P}/${promptId}/drafts/commit`, {
          commit_version: version,
        }, a);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
      };

      await t.step("a query before any commit cannot poison the latest answer", async () => {
        const early = await post(server, MGET, {
          workspace_id: a.spaceId,
          queries: [{ prompt_key: key, version: "" }],
        }, { token });
        assert.equal(early.body.code, 600501003, JSON.stringify(early.body)); // uncommitted
        await commit("1.0.0");
        await commit("1.1.0");
      });

      await t.step("empty version and label mean latest; null means absent", async () => {
        for (const q of [{ version: "" }, { label: "" }, { version: null, label: null }, {}]) {
          const r = await post(server, MGET, {
            workspace_id: a.spaceId,
            queries: [{ prompt_key: key, ...q }],
          }, { token });
          assert.equal(r.body.code, 0, `${JSON.stringify(q)}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.data.items[0].prompt.version, "1.1.0");
        }
      });

      await t.step("a bad query never changes what another query gets", async () => {
        const good = [
          { prompt_key: key },
          { prompt_key: key, version: "1.0.0" },
          { prompt_key: key, version: "" },
          { prompt_key: key, label: "" },
        ];
        const answer = async () =>
          await Promise.all(good.map(async (q) => {
            const r = await post(server, MGET, { workspace_id: a.spaceId, queries: [q] }, {
              token,
            });
            return JSON.stringify({ code: r.body.code, items: r.body.data?.items });
          }));
        const before = await answer();
        // Selector look-alikes and unresolvable queries, each answered with an error.
        for (
          const q of [
            { version: "9.9.9" },
            { label: "nope" },
            { version: "latest" },
            { label: "latest" },
            { version: "v:1.0.0" },
            { label: "v:1.0.0" },
            { label: "l:", version: "" },
          ]
        ) {
          const r = await post(server, MGET, {
            workspace_id: a.spaceId,
            queries: [{ prompt_key: key, ...q }],
          }, { token });
          assert.notEqual(r.body.code, 0, `${JSON.stringify(q)} must fail`);
        }
        assert.deepEqual(await answer(), before);
        assert.ok(before.every((b) => JSON.parse(b).code === 0), before.join("\n"));
      });

      await t.step("mget answers content parts and variables in the SDK shape", async () => {
        const r = await post(server, MGET, {
          workspace_id: a.spaceId,
          queries: [{ prompt_key: key, version: "1.0.0" }],
        }, { token });
        const tpl = r.body.data.items[0].prompt.prompt_template;
        assert.deepEqual(tpl.messages[2].parts[1], {
          type: "image_url",
          image_url: "https://img.example/cat.png",
        });
        assert.deepEqual(tpl.variable_defs.map((d: { desc: string }) => d.desc), [
          "",
          "what to ask",
          "",
          "",
        ]);
        assert.equal(r.res.headers.get("x-tt-logid"), r.res.headers.get("x-request-id"));
      });

      await t.step(
        "execute: Python's nulls, SDK-shaped parts in and out, unset variables",
        async () => {
          const r = await post(server, EXECUTE, {
            workspace_id: a.spaceId,
            prompt_identifier: { prompt_key: key, version: null, label: null },
            variable_vals: [
              { key: "question", value: "what is it?", placeholder_messages: null },
              {
                key: "media",
                value: null,
                multi_part_values: [
                  { type: "image_url", image_url: "https://img.example/dog.png", text: null },
                  { type: "text", text: "and this" },
                ],
              },
            ],
            messages: [{
              role: "user",
              content: null,
              parts: [{ type: "image_url", image_url: "https://img.example/bird.png" }],
            }],
            custom_tools: null,
          }, { token });
          assert.equal(r.body.code, 0, JSON.stringify(r.body));
          // deno-lint-ignore no-explicit-any
          const sent = (llm.requests.at(-1) as any).messages;
          assert.equal(sent[0].content, "Topic: .", "an unset text variable renders empty");
          assert.equal(sent.length, 3, "an unset placeholder stands for no message");
          const urls = (m: { content: { type: string; image_url?: { url: string } }[] }) =>
            m.content.filter((p) => p.type === "image_url").map((p) => p.image_url!.url);
          assert.deepEqual(urls(sent[1]), [
            "https://img.example/cat.png",
            "https://img.example/dog.png",
          ]);
          assert.deepEqual(urls(sent[2]), ["https://img.example/bird.png"]);
        },
      );

      await t.step("streaming: every error before the stream is an SSE error event", async () => {
        const cases: [unknown, number][] = [
          ["{not json", 602000202],
          [{ workspace_id: a.spaceId }, 602000202],
          [{ workspace_id: a.spaceId, prompt_identifier: { prompt_key: "nope" } }, 600501001],
        ];
        for (const [body, code] of cases) {
          const res = await fetch(`${server.url}/v1/loop/prompts/execute_streaming`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: typeof body === "string" ? body : JSON.stringify(body),
          });
          assert.equal(res.headers.get("content-type"), "text/event-stream");
          assert.ok(res.headers.get("x-tt-logid"));
          const events = parseEvents(await res.text());
          assert.equal(events.length, 1);
          assert.equal(events[0].event, "error");
          assert.equal(events[0].data.code, code, JSON.stringify(events[0].data));
        }
        const nomodel = `${key}_nomodel`;
        const c = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: nomodel,
          prompt_name: nomodel,
          draft_detail: { prompt_template: { messages: [{ role: "user", content: "hi" }] } },
        }, a);
        await post(server, `${P}/${c.body.prompt_id}/drafts/commit`, {
          commit_version: "0.0.1",
        }, a);
        const { text } = await sse(server, token, {
          workspace_id: a.spaceId,
          prompt_identifier: { prompt_key: nomodel },
        });
        const events = parseEvents(text);
        assert.equal(events[0].event, "error");
        assert.equal(events[0].data.code, 602000202);
        assert.match(events[0].data.msg, /model/);
      });

      await t.step("the execution span joins the caller's trace", async () => {
        const traceId = hexId(16);
        const parent = hexId(8);
        const res = await fetch(`${server.url}${EXECUTE}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "X-Cozeloop-Traceparent": `00-${traceId}-${parent}-01`,
            "X-Cozeloop-Tracestate": "x_cozeloop_span_ext=abc",
          },
          body: JSON.stringify({
            workspace_id: a.spaceId,
            prompt_identifier: { prompt_key: key },
            variable_vals: vars("q"),
          }),
        });
        assert.equal((await res.json()).code, 0);
        const spans = await eventually(async () => {
          const s = await searchTrace(server, token, a.spaceId, traceId);
          return s.length ? s : undefined;
        }, { what: "the execution span in the caller's trace" });
        assert.equal(spans[0].parent_id, parent);
        assert.equal(spans[0].trace_id, traceId);
      });

      await t.step("object_storage keys are read case-insensitively (Go SDK)", async () => {
        const span = sdkSpan({
          workspace_id: a.spaceId,
          object_storage: JSON.stringify({
            Attachments: [{ field: "input", name: "a.png", type: "image", tos_key: "att/a.png" }],
          }),
        });
        const r = await post(server, "/v1/loop/traces/ingest", { spans: [span] }, { token });
        assert.equal(r.body.code, 0);
        const [found] = await eventually(async () => {
          const s = await searchTrace(server, token, a.spaceId, span.trace_id);
          return s.length ? s : undefined;
        }, { what: "the ingested span" });
        assert.ok(found.attr_tos?.multimodal_data?.["att/a.png"], JSON.stringify(found));
        assert.deepEqual(JSON.parse(found.object_storage).attachments[0].tos_key, "att/a.png");
      });

      await t.step("/v1/loop/prompts/list pages prompts with their latest versions", async () => {
        const r = await post(server, "/v1/loop/prompts/list", {
          workspace_id: a.spaceId,
          page_number: 1,
          page_size: 1,
          key_word: key,
          creator: null,
        }, { token });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.data.total, 2);
        assert.equal(r.body.data.prompts.length, 1);
        const all = await post(server, "/v1/loop/prompts/list", {
          workspace_id: a.spaceId,
          page_size: 200,
          key_word: key,
        }, { token });
        const mine = all.body.data.prompts.find((p: { prompt_key: string }) =>
          p.prompt_key === key
        );
        assert.equal(mine.latest_version, "1.1.0");
        assert.equal(mine.workspace_id, a.spaceId);
        const b = await registerUser(server);
        const other = await post(server, "/v1/loop/prompts/list", {
          workspace_id: a.spaceId,
        }, { token: await createToken(server, b.cookie) });
        assert.equal(other.body.code, 602000101, "members only");
      });

      await t.step("every answer carries the log id, errors included", async () => {
        const unauth = await post(server, MGET, { workspace_id: a.spaceId, queries: [] }, {
          token: "pat_nope",
        });
        assert.equal(unauth.status, 401);
        const missing = await post(server, "/v1/loop/no_such_route", {}, { token });
        assert.equal(missing.status, 404);
        for (const r of [unauth, missing]) {
          assert.match(r.res.headers.get("x-tt-logid") ?? "", /^[\w.-]{8,}$/);
          assert.equal(r.res.headers.get("x-tt-logid"), r.res.headers.get("x-request-id"));
        }
        // A workspace over its prompt hub rate limit: 429, with the log id.
        const b = await registerUser(server);
        const bToken = await createToken(server, b.cookie);
        const burst = await Promise.all(
          Array.from({ length: 60 }, () =>
            post(server, MGET, {
              workspace_id: b.spaceId,
              queries: [{ prompt_key: "x" }],
            }, { token: bToken })),
        );
        const limited = burst.find((r) => r.status === 429);
        assert.ok(limited, `a 429 among ${burst.map((r) => r.status).join(",")}`);
        assert.ok(limited.res.headers.get("x-tt-logid"));
      });

      await t.step("/api routes read null as absent too", async () => {
        const r = await post(server, `${P}/list`, {
          workspace_id: a.spaceId,
          key_word: null,
          page_size: null,
        }, a);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.ok(r.body.total >= 2);
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
