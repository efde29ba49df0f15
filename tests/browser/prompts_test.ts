/**
 * The Prompts pages and the Playground in headless Chromium against a real server (both test
 * modes) whose model is the local OpenAI-compatible fake: create a prompt, edit its messages,
 * variables, model and tools (autosaved), commit 1.0.0 and 1.1.0 (the diff in the commit
 * dialog, the server's refusal of a version that does not increase), labels assigned, moved
 * and their history, two versions compared by URL, then the playground: a streamed answer, a
 * stopped run, a second turn, a tool call answered by its mock; the prompt list's search,
 * clone and delete. Screenshots light and dark under test-artifacts/browser/<mode>/pe-*.
 */
import assert from "node:assert/strict";
import { ensureUiBuilt } from "../../scripts/ui_build.ts";
import { setup } from "../e2e/_prompts.ts";
import { chromiumPath, clickText, launchBrowser, screenshot, waitForPath } from "./_browser.ts";
import { draftOf, setEditor, typeInto, waitText } from "./_editor.ts";

const HAS_CHROMIUM = chromiumPath() !== undefined;

Deno.test({
  name: "console: prompts and the playground in the browser" +
    (HAS_CHROMIUM ? "" : " (no Chromium: run scripts/browser_setup.sh)"),
  ignore: !HAS_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await ensureUiBuilt();
    // The stopped run stalls for 30 s at the fake: the model timeout must outlast the test.
    const { llm, server, models } = await setup({ COZE_LOOP_LLM_TIMEOUT_S: "60" });
    const b = await launchBrowser();
    const page = await b.newPage();
    const shot = (name: string) => screenshot(page, `${server.mode}/pe-${name}`);
    const url = (p: string) => `${server.url}${p}`;
    let failed = false;
    const step = (name: string, fn: () => Promise<void>) =>
      t.step(name, async () => {
        if (failed) throw new Error("skipped: an earlier step failed");
        try {
          await fn();
        } catch (err) {
          failed = true;
          await shot("failure").catch(() => {});
          throw err;
        }
      });
    let space = "";
    let promptId = "";
    const promptUrl = (q = "") =>
      url(`/console/enterprise/personal/space/${space}/pe/prompts/${promptId}${q}`);
    try {
      await step("register: the prompt list of the new workspace is empty", async () => {
        await page.goto(url("/auth/register?next=/console"));
        await page.waitForSelector("input[name=email]");
        await page.type("input[name=email]", `pe${crypto.randomUUID().slice(0, 8)}@example.com`);
        await page.type("input[name=password]", "prompt-password-1");
        await clickText(page, "button", "Create account");
        await waitForPath(page, /^\/console\/enterprise\/personal\/space\/\d+\/pe\/prompts$/);
        space = /space\/(\d+)\//.exec(page.url())![1];
        await page.waitForSelector("::-p-text(No prompt yet)");
      });

      await step("create a prompt: its page opens on the editor", async () => {
        await clickText(page, "button", "New prompt");
        await waitForPath(page, /\/pe\/prompts\?new=1$/);
        await page.type("dialog[open] input[name=name]", "Weather helper");
        const key = await page.$eval("dialog[open] input[name=key]", (e) => e.value);
        assert.equal(key, "weather_helper", "the key follows the name");
        await shot("create-light");
        await clickText(page, "dialog[open] button", "Create prompt");
        await waitForPath(page, /\/pe\/prompts\/\d+$/);
        promptId = /prompts\/(\d+)$/.exec(page.url())![1];
        await waitText(page, "h1", "Weather helper");
        await page.waitForSelector(".cm-content[aria-label='Message 2']");
      });

      await step("edit messages, variables, model and tools: autosaved", async () => {
        await setEditor(page, "Message 1", "You help with {{topic}}.");
        await page.waitForSelector("table[aria-label=Variables] ::-p-text(topic)");
        await page.select("select[aria-label='Type of question']", "string");
        await page.type("input[aria-label='Description of topic']", "what to help with");
        await page.select("select[aria-label=Model]", "1");
        await typeInto(page, "#param-temperature", "0.4");
        await setEditor(page, "Tools (JSON)", '[{"type": "function", "function": {"name"');
        await page.waitForSelector("[data-testid=tools-problem]");
        await page.waitForSelector("[data-testid=save-state][data-state=invalid]");
        await setEditor(
          page,
          "Tools (JSON)",
          JSON.stringify([{
            type: "function",
            function: {
              name: "get_weather",
              description: "weather of a city",
              parameters: { type: "object", properties: { city: { type: "string" } } },
            },
          }]),
        );
        await page.waitForSelector(".cm-tpl-var ::-p-text({{topic}})");
        const draft = await draftOf(
          page,
          space,
          promptId,
          (d) => d?.model_config?.temperature === 0.4 && d?.tools?.length === 1,
        );
        assert.equal(draft.prompt_template.messages[0].content, "You help with {{topic}}.");
        assert.deepEqual(draft.prompt_template.variable_defs, [
          { key: "topic", type: "string", desc: "what to help with" },
          { key: "question", type: "string" },
        ]);
        assert.equal(String(draft.model_config.model_id), "1");
        assert.equal(
          draft.tools[0].function.parameters,
          '{"type":"object","properties":{"city":{"type":"string"}}}',
        );
        await page.waitForSelector("[data-testid=save-state][data-state=saved]");
        await shot("editor-light");
      });

      await step("commit 1.0.0", async () => {
        await clickText(page, "header button", "Commit");
        await waitForPath(page, /\?commit=1$/);
        await page.waitForSelector("dialog[open] ::-p-text(First version)");
        assert.equal(await page.$eval("dialog[open] input[name=version]", (e) => e.value), "1.0.0");
        await page.type("dialog[open] input[name=description]", "first");
        await clickText(page, "dialog[open] button", "Commit 1.0.0");
        await waitText(page, "[data-testid=latest-version]", "1.0.0");
        await page.waitForFunction("!document.querySelector('dialog[open]')");
      });

      await step(
        "edit and commit 1.1.0: the diff against 1.0.0, the server's refusal",
        async () => {
          await setEditor(page, "Message 2", "Question: {{question}}");
          await typeInto(page, "#param-temperature", "0.7");
          await draftOf(page, space, promptId, (d) => d?.model_config?.temperature === 0.7);
          await page.waitForSelector("[data-testid=save-state][data-state=saved]");
          await page.goto(promptUrl("?commit=1"));
          await page.waitForSelector("dialog[open] ::-p-text(Changes since 1.0.0)");
          await waitText(page, "[data-testid=commit-summary]", "temperature: 0.4 → 0.7");
          await waitText(page, "[data-testid=commit-summary]", "messages: 1 changed");
          await page.waitForSelector("dialog[open] [data-testid=commit-diff] .cm-mergeView");
          assert.equal(
            await page.$eval("dialog[open] input[name=version]", (e) => e.value),
            "1.1.0",
          );
          await typeInto(page, "dialog[open] input[name=version]", "1.0.0");
          await clickText(page, "dialog[open] button", "Commit 1.0.0");
          await waitText(
            page,
            "dialog[open] [role=alert]",
            "must be greater than the latest version 1.0.0",
          );
          await shot("commit-light");
          await typeInto(page, "dialog[open] input[name=version]", "1.1.0");
          await clickText(page, "dialog[open] button", "Commit 1.1.0");
          await waitText(page, "[data-testid=latest-version]", "1.1.0");
        },
      );

      await step("labels: assign production, move it, its history", async () => {
        await clickText(page, "a.tab", "Labels");
        await waitForPath(page, /\?tab=labels$/);
        await page.waitForSelector("select[aria-label='Version for production']");
        await page.select("select[aria-label='Version for production']", "1.0.0");
        await clickText(page, "tr[data-label=production] button", "Assign");
        await waitText(page, "[data-testid=label-production-version]", "1.0.0");
        await page.select("select[aria-label='Version for production']", "1.1.0");
        await clickText(page, "tr[data-label=production] button", "Move");
        await waitText(page, "[data-testid=label-production-version]", "1.1.0");
        await page.waitForFunction(
          `document.querySelectorAll("table[aria-label='Label history'] tbody tr").length === 2`,
        );
        const history = await page.$eval("table[aria-label='Label history']", (e) => e.textContent);
        assert.match(history ?? "", /production1\.0\.01\.1\.0/);
        await shot("labels-light");
      });

      await step("versions, and 1.0.0..1.1.0 compared by its URL", async () => {
        await page.goto(promptUrl("?tab=versions"));
        await page.waitForFunction(
          `document.querySelectorAll("table[aria-label=Versions] tbody tr").length === 2`,
        );
        await waitText(page, "table[aria-label=Versions]", "production");
        await shot("versions-light");
        await page.goto(promptUrl("?diff=1.0.0..1.1.0"));
        await waitText(page, "[data-testid=diff-summary]", "temperature: 0.4 → 0.7");
        await page.waitForSelector("[data-testid=version-diff] .cm-mergeView");
        assert.equal(
          await page.$eval("select[aria-label='Compare from']", (e) => e.value),
          "1.0.0",
        );
        assert.equal(await page.$eval("select[aria-label='Compare to']", (e) => e.value), "1.1.0");
        await waitText(page, "a.tab[aria-current=page]", "Compare");
        await shot("diff-light");
      });

      await step("playground: a streamed answer with tokens, timings and its trace", async () => {
        await page.goto(promptUrl());
        await (await page.waitForSelector("[data-testid=open-playground]"))!.click();
        await waitForPath(page, new RegExp(`/pe/playground\\?prompt_id=${promptId}$`));
        await page.waitForSelector("#var-topic");
        await page.type("#var-topic", "weather");
        await page.type("#var-question", "Is it sunny?");
        await clickText(page, "button", "Run");
        await page.waitForSelector("[data-testid=turn-0][data-status=done]");
        await waitText(
          page,
          "[data-testid=turn-0] [data-testid=answer]",
          "echo: Question: Is it sunny?",
        );
        const stats = await page.$eval(
          "[data-testid=turn-0] [data-testid=run-stats]",
          (e) => e.textContent ?? "",
        );
        assert.match(stats, /in [1-9]\d* tokens/);
        assert.match(stats, /first token \d+ ms/);
        assert.match(stats, /latency \d+ ms/);
        const href = await page.$eval(
          "[data-testid=turn-0] [data-testid=trace-link]",
          (e) => e.getAttribute("href"),
        );
        assert.match(
          href ?? "",
          new RegExp(`/space/${space}/observation/traces\\?trace_id=[0-9a-f]{32}$`),
        );
        // deno-lint-ignore no-explicit-any
        const sent = llm.requests.at(-1) as any;
        assert.deepEqual(sent.messages.map((m: { content: string }) => m.content), [
          "You help with weather.",
          "Question: Is it sunny?",
        ]);
        assert.equal(sent.temperature, 0.7);
      });

      await step("a run is streamed and stoppable", async () => {
        await page.type("textarea[aria-label='Your message']", "#stall now");
        await clickText(page, "button", "Run");
        // The fake sends the start of its answer, then stalls: it is on the page already.
        await page.waitForSelector("[data-testid=turn-1][data-status=running]");
        await waitText(page, "[data-testid=turn-1] [data-testid=answer]", "echo:");
        await shot("playground-streaming-light");
        await clickText(page, "button", "Stop");
        await page.waitForSelector("[data-testid=turn-1][data-status=stopped]");
        await page.waitForSelector("[data-testid=turn-1] [data-testid=stopped]");
      });

      await step("a second turn carries the conversation", async () => {
        await page.type("textarea[aria-label='Your message']", "and tomorrow?");
        await clickText(page, "button", "Run");
        await page.waitForSelector("[data-testid=turn-2][data-status=done]");
        await waitText(page, "[data-testid=turn-2] [data-testid=answer]", "echo: and tomorrow?");
        // deno-lint-ignore no-explicit-any
        const sent = (llm.requests.at(-1) as any).messages.map((m: any) => [m.role, m.content]);
        assert.deepEqual(sent.slice(1, 3), [["user", "Question: Is it sunny?"], [
          "assistant",
          "echo: Question: Is it sunny?",
        ]]);
        assert.deepEqual(sent.at(-1), ["user", "and tomorrow?"]);
      });

      await step("a tool call answered by its mock reply", async () => {
        await page.type("#mock-get_weather", '{"temp":21}');
        await page.type("textarea[aria-label='Your message']", "weather please #tool");
        await clickText(page, "button", "Run");
        await page.waitForSelector("[data-testid=turn-3][data-status=done]");
        await waitText(
          page,
          "[data-testid=turn-3] [data-testid=tool-call]",
          'get_weather({"city":"Paris"})',
        );
        await waitText(page, "[data-testid=turn-3] [data-testid=tool-reply]", '{"temp":21}');
        await waitText(
          page,
          "[data-testid=turn-3] [data-testid=answer]",
          'echo: tool result: {"temp":21}',
        );
        await shot("playground-light");
        await page.click("[data-testid=theme-toggle]");
        await shot("playground-dark");
      });

      await step("dark: the editor, versions, labels and a comparison", async () => {
        for (
          const [name, q, ready] of [
            ["editor", "", ".cm-tpl-var"],
            ["versions", "?tab=versions", "table[aria-label=Versions]"],
            ["labels", "?tab=labels", "table[aria-label='Label history']"],
            ["diff", "?diff=1.0.0..1.1.0", "[data-testid=version-diff] .cm-mergeView"],
            ["commit", "?commit=1", "dialog[open] [data-testid=commit-diff] .cm-mergeView"],
          ] as const
        ) {
          await page.goto(promptUrl(q));
          await page.waitForSelector(ready);
          assert.equal(await page.evaluate("document.documentElement.dataset.theme"), "dark");
          await shot(`${name}-dark`);
        }
      });

      await step("the list: search, latest version and labels; clone, delete", async () => {
        await page.goto(url(`/console/enterprise/personal/space/${space}/pe/prompts`));
        await page.waitForSelector("table[aria-label=Prompts]");
        await page.type("input[aria-label='Search prompts']", "weather");
        await waitForPath(page, /\/pe\/prompts\?q=weather$/);
        await waitText(page, "table[aria-label=Prompts] tbody", "1.1.0");
        await waitText(page, "table[aria-label=Prompts] .label-chip", "production");
        await shot("list-dark");
        await clickText(page, "table[aria-label=Prompts] button", "Clone");
        await page.waitForSelector("dialog[open] input[name=key]");
        await clickText(page, "dialog[open] button", "Clone");
        await waitForPath(page, /\/pe\/prompts\/\d+$/);
        await waitText(page, "h1", "Weather helper (copy)");
        await page.goto(url(`/console/enterprise/personal/space/${space}/pe/prompts?q=copy`));
        await waitText(page, "table[aria-label=Prompts] tbody", "weather_helper_copy");
        await clickText(page, "table[aria-label=Prompts] button", "Delete");
        await clickText(page, "dialog[open] button", "Delete");
        await page.waitForSelector("::-p-text(No prompt matches)");
        await page.click("[data-testid=theme-toggle]");
        await page.goto(url(`/console/enterprise/personal/space/${space}/pe/prompts`));
        await page.waitForSelector("table[aria-label=Prompts]");
        await shot("list-light");
      });

      assert.deepEqual(b.errors, [], "no console error and no page error");
    } finally {
      await b.close();
      await server.stop();
      await llm.close();
      await Deno.remove(models);
    }
  },
});
