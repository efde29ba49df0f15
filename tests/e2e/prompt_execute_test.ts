/**
 * Prompt execution end to end: the SDK's execute and execute_streaming against our server,
 * whose model is a local OpenAI-compatible (and an Anthropic-style) server started here.
 * Covers rendering, tools, streaming format, provider errors (also mid-stream), timeouts,
 * the execution span in observability, the playground, isolation and bad input.
 */
import assert from "node:assert/strict";
import { eventually } from "../_env.ts";
import { FAKE_LLM_API_KEY, TOOL_ARGUMENTS } from "../fixtures/fake_llm_server.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { commitPrompt, P, parseEvents, setup, sse, vars } from "./_prompts.ts";

Deno.test({
  name: "e2e prompt execution: execute, streaming, tools, errors, spans",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { llm, server, models } = await setup();
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const key = `exec_${crypto.randomUUID().slice(0, 6)}`;
      await commitPrompt(server, a, key, "1");
      const id = { prompt_key: key, version: "1.0.0" };

      await t.step("execute renders the prompt and answers the model's message", async () => {
        const r = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("How warm is Paris?"),
          messages: [{ role: "user", content: "And tomorrow?" }],
        }, { token });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.data.message.role, "assistant");
        assert.equal(r.body.data.message.content, "echo: And tomorrow?");
        assert.equal(r.body.data.finish_reason, "stop");
        assert.ok(r.body.data.usage.input_tokens > 0 && r.body.data.usage.output_tokens > 0);
        // deno-lint-ignore no-explicit-any
        const sent = llm.requests.at(-1) as any;
        assert.deepEqual(
          sent.messages.map((m: { role: string; content: string }) => [m.role, m.content]),
          [
            ["system", "You help with weather."],
            ["user", "hi"],
            ["assistant", "hello"],
            ["user", "How warm is Paris?"],
            ["user", "And tomorrow?"],
          ],
        );
        assert.equal(sent.temperature, 0.4);
        assert.equal(sent.tools[0].function.name, "get_weather");
      });

      await t.step("tool calls pass through", async () => {
        const r = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("weather please #tool"),
        }, { token });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.data.finish_reason, "tool_calls");
        const call = r.body.data.message.tool_calls[0];
        assert.equal(call.type, "function");
        assert.equal(call.function_call.name, "get_weather");
        assert.equal(call.function_call.arguments, TOOL_ARGUMENTS);
      });

      await t.step("streaming follows the SSE rules exactly", async () => {
        const { res, text } = await sse(server, token, {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("stream this please"),
        });
        assert.equal(res.headers.get("content-type"), "text/event-stream");
        const events = parseEvents(text);
        assert.ok(events.length >= 2);
        assert.ok(events.every((e) => e.event === undefined));
        assert.equal(
          events.map((e) => e.data.message.content ?? "").join(""),
          "echo: stream this please",
        );
        const last = events.at(-1)!.data;
        assert.equal(last.finish_reason, "stop");
        assert.ok(last.usage.output_tokens > 0);
        assert.equal(last.code, undefined, "no envelope");
        const tool = parseEvents(
          (await sse(server, token, {
            workspace_id: a.spaceId,
            prompt_identifier: id,
            variable_vals: vars("#tool"),
          })).text,
        );
        const args = tool.flatMap((e) => e.data.message.tool_calls ?? []).map((
          c: { function_call: { arguments: string } },
        ) => c.function_call.arguments).join("");
        assert.equal(args, TOOL_ARGUMENTS, "tool call fragments assemble");
      });

      await t.step("provider errors: mapped codes, mid-stream error event, timeout", async () => {
        const rate = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("#error-429"),
        }, { token });
        assert.equal(rate.body.code, 601505003);
        const auth = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("#error-401"),
        }, { token });
        assert.equal(auth.body.code, 601505009);
        assert.ok(!JSON.stringify(auth.body).includes(FAKE_LLM_API_KEY), "the key never leaks");
        const mid = parseEvents(
          (await sse(server, token, {
            workspace_id: a.spaceId,
            prompt_identifier: id,
            variable_vals: vars("#fail-mid-stream"),
          })).text,
        );
        assert.ok(mid.length >= 2, "some chunks, then the error");
        assert.equal(mid.at(-1)!.event, "error");
        assert.equal(mid.at(-1)!.data.code, 601505009);
        assert.equal(typeof mid.at(-1)!.data.msg, "string");
        const slow = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("#slow"),
        }, { token });
        assert.equal(slow.body.code, 601505012, JSON.stringify(slow.body));
      });

      await t.step("jinja2 prompts and the claude protocol", async () => {
        const jkey = `${key}_j`;
        await commitPrompt(server, a, jkey, "2", "jinja2");
        const r = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: { prompt_key: jkey },
          variable_vals: [{ key: "cities", value: '["Paris","Rome"]' }, {
            key: "question",
            value: "compare",
          }, { key: "history", placeholder_messages: [] }],
        }, { token });
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.data.message.content, "echo: compare");
        // deno-lint-ignore no-explicit-any
        const sent = llm.requests.at(-1) as any;
        assert.equal(sent.system ?? sent.messages[0].content, "Cities: Paris;Rome;");
      });

      await t.step("each execution reports a span in the workspace", async () => {
        const spans = await eventually(async () => {
          const r = await post(server, "/v1/loop/spans/search", {
            workspace_id: a.spaceId,
            start_time: String(Date.now() - 600_000),
            end_time: String(Date.now() + 60_000),
            span_list_type: "llm_span",
            filters: {
              filter_fields: [{ field_name: "prompt_key", query_type: "eq", values: [key] }],
            },
            page_size: 50,
          }, { token });
          return r.body.data?.spans?.length >= 5 ? r.body.data.spans : null;
        }, { what: "execution spans", timeoutMs: 30_000 });
        const ok = spans.find((s: { status: string; tags_string: Record<string, string> }) =>
          s.status === "success"
        );
        assert.equal(ok.tags_string.model_name, "gpt-fake");
        assert.equal(ok.tags_string.prompt_version, "1.0.0");
        assert.ok(Number(ok.tags_long.input_tokens) > 0);
        assert.ok(
          spans.some((s: { status: string; tags_string: Record<string, string> }) =>
            s.status === "error" && s.tags_string.error
          ),
        );
      });

      await t.step("playground: a draft with mock tools, debug context and history", async () => {
        const created = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: `${key}_dbg`,
          prompt_name: "dbg",
        }, a);
        const pid = created.body.prompt_id;
        const detail = {
          prompt_template: {
            template_type: "normal",
            messages: [{ role: "user", content: "{{q}}" }],
            variable_defs: [{ key: "q", type: "string" }],
          },
          tools: [{
            type: "function",
            function: { name: "get_weather", parameters: '{"type":"object"}' },
          }],
          model_config: { model_id: "1" },
        };
        const run = async (single: boolean) => {
          const res = await fetch(`${server.url}${P}/${pid}/debug_streaming`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie: a.cookie },
            body: JSON.stringify({
              prompt: { prompt_draft: { detail } },
              variable_vals: [{ key: "q", value: "weather? #tool" }],
              mock_tools: [{ name: "get_weather", mock_response: '{"temp":21}' }],
              single_step_debug: single,
            }),
          });
          assert.equal(res.headers.get("content-type"), "text/event-stream");
          return parseEvents(await res.text());
        };
        const single = await run(true);
        assert.ok(single.every((e) => e.data.debug_step === 1));
        assert.equal(single.at(-1)!.data.finish_reason, "tool_calls");
        const multi = await run(false);
        assert.ok(multi.some((e) => e.data.debug_step === 2), "the mock answer was fed back");
        assert.equal(typeof multi[0].data.debug_id, "string");
        const traceId = multi[0].data.debug_trace_key;
        assert.match(traceId, /^[0-9a-f]{32}$/, "the run names its trace");
        assert.ok(multi.every((e) => e.data.debug_trace_key === traceId), "one trace per run");
        await eventually(async () => {
          const r = await post(server, "/v1/loop/traces/search", {
            workspace_id: a.spaceId,
            trace_id: traceId,
            start_time: String(Date.now() - 600_000),
            end_time: String(Date.now() + 60_000),
            limit: 10,
          }, { token });
          return r.body.data?.spans?.length >= 2 ? true : null;
        }, { what: "the playground run's spans in its trace", timeoutMs: 30_000 });
        type Sent = { messages?: { role: string; content?: string }[] };
        const fedBack = (llm.requests as Sent[]).some((r) =>
          r.messages?.some((m) => m.role === "tool" && m.content === '{"temp":21}')
        );
        assert.ok(fedBack, "the provider saw the mock tool's answer");
        const save = await post(server, `${P}/${pid}/debug_context/save`, {
          workspace_id: a.spaceId,
          debug_context: {
            debug_core: { mock_tools: [{ name: "get_weather", mock_response: "x" }] },
          },
        }, a);
        assert.equal(save.body.code, 0, JSON.stringify(save.body));
        const ctx = await post(
          server,
          `${P}/${pid}/debug_context/get?workspace_id=${a.spaceId}`,
          undefined,
          a,
          "GET",
        );
        assert.deepEqual(ctx.body.debug_context, {
          debug_core: { mock_tools: [{ name: "get_weather", mock_response: "x" }] },
        });
        const hist = await post(
          server,
          `${P}/${pid}/debug_history/list?workspace_id=${a.spaceId}&page_size=10&days_limit=1`,
          undefined,
          a,
          "GET",
        );
        assert.equal(hist.body.code, 0, JSON.stringify(hist.body));
        assert.equal(hist.body.debug_history.length, 2);
        assert.ok(Number(hist.body.debug_history[0].input_tokens) > 0);
        const b = await registerUser(server);
        const denied = await post(server, `${P}/${pid}/debug_context/get`, undefined, b, "GET");
        assert.equal(denied.body.code, 600501001);
      });

      await t.step("bad input and isolation", async () => {
        const cases: [unknown, number][] = [
          [
            { workspace_id: a.spaceId, prompt_identifier: { prompt_key: key, version: "9.9.9" } },
            600501002,
          ],
          [
            {
              workspace_id: a.spaceId,
              prompt_identifier: { prompt_key: key, label: "production" },
            },
            600501007,
          ],
          [{
            workspace_id: a.spaceId,
            prompt_identifier: id,
            variable_vals: vars("q"),
            messages: [{ role: "user", content: "x".repeat(1_100_000) }],
          }, 602000202],
          [{
            workspace_id: a.spaceId,
            prompt_identifier: id,
            messages: [{ role: "narrator", content: "x" }],
          }, 602000202],
          [{ workspace_id: a.spaceId }, 602000202],
        ];
        for (const [body, code] of cases) {
          const r = await post(server, "/v1/loop/prompts/execute", body, { token });
          assert.equal(
            r.body.code,
            code,
            `${JSON.stringify(body).slice(0, 120)}: ${JSON.stringify(r.body).slice(0, 200)}`,
          );
        }
        const missing = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: [{ key: "topic", value: "x" }],
        }, { token });
        // Unset variables render as in the reference: a text variable as empty, a placeholder
        // as no message.
        assert.equal(missing.body.code, 0, JSON.stringify(missing.body));
        assert.equal(missing.body.data.message.content, "echo: ");
        const streamErr = parseEvents(
          (await sse(server, token, {
            workspace_id: a.spaceId,
            prompt_identifier: { prompt_key: "nope" },
          })).text,
        );
        assert.equal(streamErr[0].event, "error");
        assert.equal(streamErr[0].data.code, 600501001);
        const b = await registerUser(server);
        const bToken = await createToken(server, b.cookie);
        const other = await post(server, "/v1/loop/prompts/execute", {
          workspace_id: a.spaceId,
          prompt_identifier: id,
          variable_vals: vars("x"),
        }, { token: bToken });
        assert.equal(other.body.code, 602000101);
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
