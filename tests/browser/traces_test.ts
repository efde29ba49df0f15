/**
 * The traces pages in headless Chromium against a real server (both test modes): a trace
 * ingested through the SDK route (an uploaded image, a tool call, an error) is found with
 * the filter builder, opened; the span with the image is selected and the image loads;
 * raw and pretty views, a tree search, a collapsed node, an annotation, "filter by this
 * value", all kept in the URL; light and dark screenshots; then log out. No console error.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { eventually } from "../_env.ts";
import { startServer } from "../_server.ts";
import { ensureUiBuilt } from "../../scripts/ui_build.ts";
import { createToken, registerUser } from "../e2e/_client.ts";
import { searchTrace } from "../e2e/_traces.ts";
import { chromiumPath, clickText, launchBrowser, screenshot, waitForPath } from "./_browser.ts";
import { countRootSpans, ingestFillerTraces, ingestSampleTrace } from "./_traces.ts";

const HAS_CHROMIUM = chromiumPath() !== undefined;
/** Other one-span traces: more root spans than a page (50) holds. */
const FILLERS = 55;

Deno.test({
  name: "console traces: find a trace with a filter, read its spans, annotate" +
    (HAS_CHROMIUM ? "" : " (no Chromium: run scripts/browser_setup.sh)"),
  ignore: !HAS_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await ensureUiBuilt();
    const server = await startServer();
    const b = await launchBrowser();
    const shot = (page: Page, name: string) => screenshot(page, `${server.mode}/${name}`);
    try {
      const user = await registerUser(server);
      const token = await createToken(server, user.cookie);
      const trace = await ingestSampleTrace(server, token, user.spaceId);
      await eventually(
        async () => (await searchTrace(server, token, user.spaceId, trace.traceId)).length === 4,
        { what: "the sample trace stored", timeoutMs: 30_000 },
      );
      await ingestFillerTraces(server, token, user.spaceId, FILLERS);
      await eventually(
        async () => (await countRootSpans(server, token, user.spaceId)) === FILLERS + 1,
        { what: "the other traces stored", timeoutMs: 30_000 },
      );
      const page = await b.newPage();
      const url = (p: string) => `${server.url}${p}`;
      const tracesPath = `/console/enterprise/personal/space/${user.spaceId}/observation/traces`;
      const query = () => new URL(page.url()).searchParams;
      const text = (selector: string) =>
        page.$eval(selector, (e) => (e as unknown as { innerText: string }).innerText ?? "");
      const rowCount = () => page.$$eval("table[aria-label=Spans] tbody tr", (r) => r.length);
      const treeRows = () =>
        page.$$eval("[role=treeitem]", (els) => els.map((e) => e.getAttribute("data-span-id")));

      let failed = false;
      const step = (name: string, fn: () => Promise<void>) =>
        t.step(name, async () => {
          if (failed) throw new Error("skipped: an earlier step failed");
          try {
            await fn();
          } catch (err) {
            failed = true;
            await shot(page, "traces-failure").catch(() => {});
            throw err;
          }
        });

      await step("log in; the traces page lists the root span", async () => {
        await page.goto(url(`/auth/login?next=${encodeURIComponent(tracesPath)}`));
        await page.waitForSelector("input[name=email]");
        await page.type("input[name=email]", user.email);
        await page.type("input[name=password]", user.password);
        await clickText(page, "button", "Log in");
        await waitForPath(page, /\/observation\/traces$/);
        await page.waitForSelector("table[aria-label=Spans] ::-p-text(weather agent)");
        assert.equal(await rowCount(), 50, "a page of root spans, the newest first");
        const first = await page.$eval(
          "table[aria-label=Spans] tbody tr",
          (e) => (e as unknown as { innerText: string }).innerText,
        );
        assert.match(first, /weather agent/);
      });

      await step("pages and columns, in the URL", async () => {
        await clickText(page, "button", "Next page");
        await page.waitForFunction(
          `document.querySelectorAll("table[aria-label=Spans] tbody tr").length === 6`,
        );
        assert.equal(query().getAll("page").length, 1);
        await clickText(page, "summary", "Columns");
        await clickText(page, ".menu-body label", "Trace id");
        await page.waitForSelector("table[aria-label=Spans] th ::-p-text(Trace id)");
        assert.match(query().get("cols") ?? "", /trace_id$/);
        await page.reload();
        await page.waitForSelector("table[aria-label=Spans] th ::-p-text(Trace id)");
        assert.equal(await rowCount(), 6, "the page is a link");
        await clickText(page, "button", "Previous");
        await page.waitForFunction(
          `document.querySelectorAll("table[aria-label=Spans] tbody tr").length === 50`,
        );
        assert.equal(query().get("page"), null);
        await clickText(page, "summary", "Columns");
        await clickText(page, ".menu-body label", "Trace id");
        await page.waitForFunction(`!new URL(location.href).searchParams.get("cols")`);
        await clickText(page, "summary", "Columns");
      });

      await step("all spans, filtered with the builder to model spans", async () => {
        await clickText(page, ".segmented button", "All spans");
        await page.waitForFunction(`new URL(location.href).searchParams.get("type") === "all"`);
        await clickText(page, "button", "Filters");
        const form = "form[aria-label='Filter builder']";
        await page.waitForSelector(`${form} input[aria-label=Field]`);
        await page.type(`${form} input[aria-label=Field]`, "span_type");
        await page.type(`${form} input[aria-label=Value]`, "model");
        await clickText(page, `${form} button`, "Apply filters");
        await page.waitForFunction(
          `document.querySelectorAll("table[aria-label=Spans] tbody tr").length === 1`,
        );
        assert.equal(query().get("filters"), "span_type~eq~model");
        assert.equal(query().get("type"), "all");
        assert.match(await text("[data-testid=filter-summary]"), /span_type = model/);
        await page.waitForSelector("table[aria-label=Spans] ::-p-text(chat gpt-4o)");
        await shot(page, "traces-list-light");
      });

      await step("the filtered list is a link: reloading keeps it", async () => {
        await page.reload();
        await page.waitForSelector("table[aria-label=Spans] ::-p-text(chat gpt-4o)");
        assert.equal(await rowCount(), 1);
      });

      await step("open the trace at the model span: its image loads", async () => {
        await clickText(page, "table[aria-label=Spans] td", "gpt-4o");
        await waitForPath(page, new RegExp(`trace_id=${trace.traceId}`));
        assert.equal(query().get("span_id"), trace.model);
        await page.waitForSelector("[role=treeitem]");
        assert.deepEqual(await treeRows(), [trace.root, trace.model, trace.tool, trace.failing]);
        // Select another span, then the one with the image, from the tree.
        await page.click(`[role=treeitem][data-span-id='${trace.tool}']`);
        await page.waitForSelector("[data-testid=span-pane] ::-p-text(18 °C, sunny)");
        await page.click(`[role=treeitem][data-span-id='${trace.model}']`);
        await page.waitForFunction(
          (id: string) => new URL(location.href).searchParams.get("span_id") === id,
          {},
          trace.model,
        );
        await page.waitForSelector("[data-testid=span-pane] [data-role=user]");
        const loaded = () =>
          page.$$eval(
            "[data-testid=span-pane] img",
            (imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
          );
        await page.waitForFunction(
          `[...document.querySelectorAll("[data-testid=span-pane] img")]
            .filter((i) => i.complete && i.naturalWidth === 96).length === 2`,
          { timeout: 10_000 },
        ).catch(async (err) => {
          throw new Error(`images: ${JSON.stringify(await loaded())}: ${err}`);
        });
        assert.match(await text("[data-testid=tool-call]"), /get_weather[\s\S]*Paris/);
        assert.match(await text("[data-testid=span-pane]"), /You are a weather assistant/);
        await shot(page, "traces-trace-light");
      });

      await step("raw and pretty views, in the URL", async () => {
        await clickText(page, "[data-testid=span-pane] .segmented button", "Raw");
        await page.waitForSelector("pre[aria-label='Input (raw)']");
        assert.equal(query().get("fmt"), "raw");
        assert.match(await text("pre[aria-label='Input (raw)']"), /"messages": \[/);
        await clickText(page, "[data-testid=span-pane] .segmented button", "Pretty");
        await page.waitForSelector("[data-testid=span-pane] [data-role=system]");
        assert.equal(query().get("fmt"), null);
      });

      await step("annotate the span: the annotation is listed", async () => {
        await page.type("input[aria-label='Annotation key']", "quality");
        await page.type("input[aria-label='Annotation value']", "good");
        await page.type("input[aria-label=Reasoning]", "correct tool call");
        await clickText(page, "form[aria-label=Annotate] button", "Annotate");
        await page.waitForSelector("[data-testid=annotations] ::-p-text(quality)", {
          timeout: 15_000,
        });
        assert.match(await text("[data-testid=annotations]"), /quality = good[\s\S]*correct tool/);
      });

      await step("search the tree, then collapse a node", async () => {
        await page.type("input[aria-label='Search spans']", "forecast");
        await page.waitForFunction(`document.querySelectorAll("[role=treeitem]").length === 3`);
        assert.deepEqual(await treeRows(), [trace.root, trace.tool, trace.failing]);
        assert.equal(query().get("q"), "forecast");
        assert.equal(await text("[data-testid=search-count]"), "1 found");
        await page.click("input[aria-label='Search spans']", { count: 3 });
        await page.keyboard.press("Backspace");
        await page.waitForFunction(`document.querySelectorAll("[role=treeitem]").length === 4`);
        await page.click("button[aria-label='Collapse get_weather']");
        await page.waitForFunction(`document.querySelectorAll("[role=treeitem]").length === 3`);
        assert.equal(query().get("collapsed"), trace.tool);
        await page.reload();
        await page.waitForSelector("button[aria-label='Expand get_weather']");
        assert.deepEqual(await treeRows(), [trace.root, trace.model, trace.tool]);
        await page.click("button[aria-label='Expand get_weather']");
        await page.waitForFunction(`document.querySelectorAll("[role=treeitem]").length === 4`);
      });

      await step("the failing span shows its error; dark theme", async () => {
        await page.click(`[role=treeitem][data-span-id='${trace.failing}']`);
        await page.waitForSelector(
          "[data-testid=span-pane] [role=alert] ::-p-text(upstream timeout)",
        );
        await page.click(`[role=treeitem][data-span-id='${trace.model}']`);
        await page.waitForSelector("[data-testid=span-pane] [data-role=user]");
        await page.evaluate(() => localStorage.setItem("coze-loop-theme", "dark"));
        await page.reload();
        await page.waitForSelector("[data-testid=span-pane] [data-role=user]");
        await page.waitForFunction(
          `[...document.querySelectorAll("[data-testid=span-pane] img")]
            .every((i) => i.complete && i.naturalWidth > 0)`,
        );
        assert.equal(await page.evaluate("document.documentElement.dataset.theme"), "dark");
        await shot(page, "traces-trace-dark");
      });

      await step("filter by a tag's value: back to the list with the condition", async () => {
        await page.click("button[aria-label='Filter by model_name = gpt-4o']");
        await page.waitForFunction(`!new URL(location.href).searchParams.get("trace_id")`);
        assert.equal(query().get("filters"), "span_type~eq~model,model_name~eq~gpt-4o");
        await page.waitForSelector("table[aria-label=Spans] ::-p-text(chat gpt-4o)");
        await shot(page, "traces-list-dark");
        await page.evaluate(() => localStorage.removeItem("coze-loop-theme"));
      });

      await step("a trace id typed in the search opens it; log out", async () => {
        await page.type("input[aria-label='Trace id']", trace.traceId.toUpperCase());
        await clickText(page, "button", "Open trace");
        await page.waitForSelector(`[role=treeitem][data-span-id='${trace.root}']`);
        assert.equal(query().get("trace_id"), trace.traceId);
        await clickText(page, "a", "Log out");
        await waitForPath(page, /^\/auth\/login$/);
      });

      assert.deepEqual(b.errors, [], "no console error and no page error");
    } finally {
      await b.close();
      await server.stop();
    }
  },
});
