/**
 * Running prompt targets (the runner experiments call, through the IDL's ExecuteEvalTarget)
 * against a local OpenAI-compatible fake model, both modes: input fields reach the model as
 * variables (text, placeholder, multi-part), the user query and history as messages, runtime
 * model overrides; success with usage and latency; model errors, timeouts and a template
 * error as failed records; a client that leaves cancels the model call; each run is a trace.
 */
import assert from "node:assert/strict";
import { eventually } from "../_env.ts";
import { FAKE_LLM_API_KEY } from "../fixtures/fake_llm_server.ts";
import { createToken, post, registerUser } from "./_client.ts";
import { commitPrompt, P, setup } from "./_prompts.ts";
import { createPromptTarget, promptIdOf, T, text } from "./_eval_targets.ts";
import { searchTrace } from "./_traces.ts";

type Sent = { messages: { role: string; content: unknown }[]; temperature?: number };

Deno.test({
  name: "eval target runs: variables, messages, usage, failures, cancellation, traces",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { llm, server, models } = await setup();
    try {
      const a = await registerUser(server);
      const key = `run_${crypto.randomUUID().slice(0, 6)}`;
      await commitPrompt(server, a, key, "1");
      const target = await createPromptTarget(server, a, await promptIdOf(server, a, key));
      const execPath = `${T}/${target.id}/versions/${target.versionId}/execute`;
      const run = async (inputData: Record<string, unknown>) => {
        const r = await post(
          server,
          execPath,
          { workspace_id: a.spaceId, input_data: inputData },
          a,
        );
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        return r.body.eval_target_record;
      };
      const fields = (question: string, extra: Record<string, unknown> = {}) => ({
        input_fields: {
          topic: text("weather"),
          question: text(question),
          history: text(JSON.stringify([{ role: "user", content: "hi" }, {
            role: 3,
            content: { content_type: "Text", text: "hello" },
          }])),
          ...extra,
        },
      });
      const sent = () => llm.requests.at(-1) as Sent;
      const roles = (s: Sent) => s.messages.map((m) => [m.role, m.content]);
      let traceId = "";

      await t.step("success: variables reach the model; output, usage, latency", async () => {
        const rec = await run(fields("How warm is Paris?"));
        assert.equal(rec.status, 1, JSON.stringify(rec));
        assert.deepEqual(rec.eval_target_output_data.output_fields, {
          actual_output: { content_type: "Text", text: "echo: How warm is Paris?" },
        });
        const usage = rec.eval_target_output_data.eval_target_usage;
        assert.ok(Number(usage.input_tokens) > 0 && Number(usage.output_tokens) > 0);
        assert.equal(
          Number(usage.total_tokens),
          Number(usage.input_tokens) + Number(usage.output_tokens),
        );
        assert.match(rec.eval_target_output_data.time_consuming_ms, /^\d+$/);
        assert.equal(rec.eval_target_output_data.eval_target_run_error, undefined);
        assert.match(rec.trace_id, /^[0-9a-f]{32}$/);
        assert.equal(rec.target_version_id, target.versionId);
        traceId = rec.trace_id;
        assert.deepEqual(roles(sent()), [
          ["system", "You help with weather."],
          ["user", "hi"],
          ["assistant", "hello"],
          ["user", "How warm is Paris?"],
        ]);
        assert.equal(sent().temperature, 0.4, "the prompt's model settings");
      });

      await t.step("the user query and history are messages, never templates", async () => {
        const q = await run(fields("first", { builtin_prompt_user_query: text("{{topic}}?") }));
        assert.equal(
          q.eval_target_output_data.output_fields.actual_output.text,
          "echo: {{topic}}?",
        );
        assert.deepEqual(roles(sent()).slice(-2), [["user", "first"], ["user", "{{topic}}?"]]);
        const hist = await run({
          ...fields("q", { builtin_prompt_user_query: text("now?") }),
          history_messages: [{ role: 2, content: text("earlier {{topic}}") }, {
            role: 3,
            content: text("ok"),
          }],
        });
        assert.equal(hist.status, 1, JSON.stringify(hist));
        assert.deepEqual(roles(sent()).slice(-4), [
          ["user", "q"],
          ["user", "earlier {{topic}}"],
          ["assistant", "ok"],
          ["user", "now?"],
        ]);
      });

      await t.step("a runtime parameter overrides the prompt's model settings", async () => {
        const rec = await run({
          ...fields("hot?"),
          ext: { builtin_runtime_param: '{"model_config":{"temperature":1.5,"max_tokens":0}}' },
        });
        assert.equal(rec.status, 1, JSON.stringify(rec));
        assert.equal(sent().temperature, 1.5);
      });

      await t.step("multi-part variables carry images to the model", async () => {
        const mkey = `${key}_img`;
        const created = await post(server, P, {
          workspace_id: a.spaceId,
          prompt_key: mkey,
          prompt_name: mkey,
          draft_detail: {
            prompt_template: {
              template_type: "normal",
              messages: [{
                role: "user",
                parts: [{ type: "text", text: "Describe" }, {
                  type: "multi_part_variable",
                  text: "pic",
                }],
              }],
              variable_defs: [{ key: "pic", type: "multi_part" }],
            },
            model_config: { model_id: "1" },
          },
        }, a);
        assert.equal(created.body.code, 0, JSON.stringify(created.body));
        const pid = created.body.prompt_id;
        const c = await post(server, `${P}/${pid}/drafts/commit`, { commit_version: "1.0.0" }, a);
        assert.equal(c.body.code, 0, JSON.stringify(c.body));
        const mt = await createPromptTarget(server, a, pid);
        const r = await post(server, `${T}/${mt.id}/versions/${mt.versionId}/execute`, {
          workspace_id: a.spaceId,
          input_data: {
            input_fields: {
              pic: {
                content_type: "MultiPart",
                multi_part: [text(" a cat"), {
                  content_type: "Image",
                  image: { url: "https://example.com/cat.png" },
                }],
              },
            },
          },
        }, a);
        const rec = r.body.eval_target_record;
        assert.equal(rec.status, 1, JSON.stringify(r.body));
        assert.equal(
          rec.eval_target_output_data.output_fields.actual_output.text,
          "echo: Describe a cat",
        );
        const parts = sent().messages.at(-1)!.content as {
          type: string;
          image_url?: { url: string };
        }[];
        assert.deepEqual(parts.map((p) => p.type), ["text", "text", "image_url"]);
        assert.equal(parts[2].image_url!.url, "https://example.com/cat.png");
      });

      await t.step("failures are records: model errors, timeout, bad placeholder", async () => {
        const expectFail = async (input: Record<string, unknown>, code: number) => {
          const rec = await run(input);
          assert.equal(rec.status, 2, JSON.stringify(rec));
          const err = rec.eval_target_output_data.eval_target_run_error;
          assert.equal(err.code, code, JSON.stringify(err));
          assert.ok(err.message.length > 0);
          assert.deepEqual(rec.eval_target_output_data.output_fields, {});
          assert.match(rec.trace_id, /^[0-9a-f]{32}$/, "a failed run is a trace too");
          return err.message as string;
        };
        const auth = await expectFail(fields("#error-401"), 601505009);
        assert.ok(!auth.includes(FAKE_LLM_API_KEY), "the key never leaks");
        await expectFail(fields("#error-400"), 601505007);
        await expectFail(fields("#error-429"), 601505003);
        await expectFail(fields("#slow"), 601505012);
        const ph = await expectFail(fields("x", { history: text("not json") }), 602000202);
        assert.match(ph, /history/);
        await expectFail({ ...fields("x"), ext: { builtin_runtime_param: "{" } }, 602000202);
      });

      await t.step("a client that leaves cancels the model call", async () => {
        const before = { calls: llm.requests.length, gone: llm.disconnects };
        const ctl = new AbortController();
        const pending = fetch(`${server.url}${execPath}`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie: a.cookie },
          body: JSON.stringify({ workspace_id: a.spaceId, input_data: fields("#slow") }),
          signal: ctl.signal,
        }).catch(() => undefined);
        await eventually(() => llm.requests.length > before.calls, {
          what: "the slow call reached the model",
          timeoutMs: 10_000,
        });
        ctl.abort();
        await pending;
        await eventually(() => llm.disconnects > before.gone, {
          what: "the model call abandoned",
          timeoutMs: 10_000,
        });
        // Cancelled for the client, not ended by the server's model timeout.
        await eventually(() => server.logs().includes("was cancelled by the caller"), {
          what: "the cancellation in the server's log",
          timeoutMs: 10_000,
        });
      });

      await t.step("a run is a trace: the target span over the model call", async () => {
        const token = await createToken(server, a.cookie);
        const spans = await eventually(async () => {
          const s = await searchTrace(server, token, a.spaceId, traceId);
          return s.length >= 2 ? s : null;
        }, { what: "the run's spans", timeoutMs: 30_000 });
        const root = spans.find((s) => s.span_type === "eval_target");
        const model = spans.find((s) => s.span_type === "model");
        assert.ok(root && model, JSON.stringify(spans.map((s) => s.span_type)));
        assert.equal(model.parent_id, root.span_id);
        const tagged = JSON.stringify(root);
        assert.ok(tagged.includes(key) && tagged.includes(target.versionId), tagged);
        assert.match(String(root.output), /echo: How warm is Paris\?/);
      });
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
