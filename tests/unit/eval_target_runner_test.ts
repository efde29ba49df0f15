/**
 * The target runner experiments call (`runTarget`), in process: the real prompt and LLM
 * runtimes against the local fake model, with stand-in prompt and membership services.
 * Covers what the HTTP tests cannot reach: a caller's timeout signal is a timeout record, an
 * abort a cancellation record, a source that is gone a failed record, and an infrastructure
 * failure is thrown (the item may be tried again), never a made-up record.
 */
import assert from "node:assert/strict";
import { AppError, Codes } from "../../domains/errors.ts";
import { createModelCatalogue } from "../../domains/llm/catalogue.ts";
import { createLlmRuntime } from "../../domains/llm/runtime/mod.ts";
import { createPromptRuntime } from "../../domains/prompt/execute.ts";
import type { PromptDetail } from "../../domains/prompt/detail.ts";
import type { PromptService } from "../../domains/prompt/prompts.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import type { Database } from "../../infra/db/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { createTargetRunner } from "../../domains/evaluation/target_run.ts";
import type { EvalTargetVersion } from "../../domains/evaluation/target_types.ts";
import { fakeModel, withFake } from "./_llm_runtime.ts";
import type { FakeLlm } from "../fixtures/fake_llm_server.ts";

const DETAIL: PromptDetail = {
  prompt_template: {
    template_type: "normal",
    messages: [{ role: "system", content: "About {{topic}}." }, {
      role: "user",
      content: "{{question}}",
    }],
    variable_defs: [{ key: "topic", type: "string" }, { key: "question", type: "string" }],
  },
  model_config: { model_id: "4242" },
};

const VERSION: EvalTargetVersion = {
  id: 11n,
  targetId: 10n,
  workspaceId: 7n,
  targetType: 2,
  sourceTargetId: "99",
  sourceTargetVersion: "1.0.0",
};

const text = (t: string) => ({ content_type: "Text", text: t });

function runnerFor(fake: FakeLlm, getPrompt: PromptService["get"]) {
  const catalogue = createModelCatalogue([fakeModel(fake, "openai")]);
  const llm = createLlmRuntime({ maxRetries: 0, defaultTimeoutMs: 10_000 });
  return createTargetRunner({
    db: {} as Database,
    ids: {} as IdGenerator,
    authz: { requireMember: () => Promise.resolve("owner") } as unknown as Authz,
    prompts: { get: getPrompt } as PromptService,
    runtime: createPromptRuntime({ catalogue, llm }),
  });
}

const found: PromptService["get"] = (_u, id, o) =>
  Promise.resolve({
    prompt: {
      id,
      workspaceId: 7n,
      promptKey: "k",
      displayName: "k",
      description: "",
      promptType: "normal",
      securityLevel: "L3",
      latestVersion: "1.0.0",
      createdBy: 1n,
      updatedBy: 1n,
      createdAt: new Date(),
      updatedAt: new Date(),
    },
    ...(o?.commitVersion
      ? {
        commit: {
          promptId: id,
          version: o.commitVersion,
          baseVersion: "",
          description: "",
          detail: DETAIL,
          committedBy: 1n,
          committedAt: new Date(),
        },
      }
      : {}),
  });

Deno.test("target runner: a success carries the output, tokens, latency and a trace id", () =>
  withFake(async (fake) => {
    const out = await runnerFor(fake, found).runTarget(VERSION, {
      topic: text("rain"),
      question: text("Will it rain?"),
      unknown_column: text("ignored"),
    }, { userId: 1n });
    assert.equal(out.status, "success", JSON.stringify(out));
    assert.deepEqual(out.output, { actual_output: text("echo: Will it rain?") });
    assert.ok(out.tokens.input > 0 && out.tokens.output > 0);
    assert.ok(out.latencyMs >= 0);
    assert.match(out.traceId, /^[0-9a-f]{32}$/);
    // deno-lint-ignore no-explicit-any
    const sent = fake.requests.at(-1) as any;
    assert.equal(sent.messages[0].content, "About rain.");
  }));

Deno.test("target runner: the caller's timeout is a timeout record, an abort a cancellation", () =>
  withFake(async (fake) => {
    const runner = runnerFor(fake, found);
    const slow = { question: text("#slow") };
    const timedOut = await runner.runTarget(VERSION, slow, {
      userId: 1n,
      signal: AbortSignal.timeout(200),
    });
    assert.equal(timedOut.status, "fail");
    assert.equal(timedOut.error?.code, Codes.llmTimeout);
    assert.match(timedOut.error!.message, /timed out/);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const aborted = await runner.runTarget(VERSION, slow, { userId: 1n, signal: ctl.signal });
    assert.equal(aborted.status, "fail");
    assert.equal(aborted.error?.code, Codes.llmCallFailed);
    assert.match(aborted.error!.message, /cancelled/);
  }));

Deno.test("target runner: a gone source is a failed record; a broken database is thrown", () =>
  withFake(async (fake) => {
    const gone = await runnerFor(
      fake,
      () => Promise.reject(new AppError(Codes.promptNotFound, "prompt 99 not found")),
    )
      .runTarget(VERSION, {}, { userId: 1n });
    assert.equal(gone.status, "fail");
    assert.equal(gone.error?.code, Codes.promptNotFound);
    assert.match(gone.error!.message, /prompt 99 not found in this workspace/);
    const other = await runnerFor(fake, found).runTarget(
      { ...VERSION, targetType: 1 },
      {},
      { userId: 1n },
    );
    assert.equal(other.error?.code, Codes.invalidParam);
    await assert.rejects(
      runnerFor(fake, () => Promise.reject(new Error("connection refused")))
        .runTarget(VERSION, {}, { userId: 1n }),
      /connection refused/,
    );
    assert.equal(fake.requests.length, 0, "no model call for any of them");
  }));
