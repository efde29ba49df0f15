/**
 * `deno task bench ui-trace`: the console's trace view on a trace of 10,000 spans, in headless
 * Chromium against an embedded server. The trace (a root, agent steps of up to 99 model and
 * tool calls each, one tool call in five failing) is ingested through /v1/loop/traces/ingest;
 * then the trace page is opened `runs` times (the first with a cold cache) and timed from
 * navigation to the tree rendered (and the trace's API answer alone), and the tree is scrolled
 * from top to bottom, `step` px per frame, recording every frame's time (requestAnimationFrame
 * deltas) and the browser's long animation frames; last, a tree search is timed. Prints
 * Markdown rows for BENCHMARKS.md.
 * Usage: ui_trace_bench.ts [runs=3] [step=400] [spans=10000]
 */
import { startServer } from "../_server.ts";
import { createToken, post, registerUser } from "../e2e/_client.ts";
import { hexId } from "../e2e/_traces.ts";
import { launchBrowser } from "../browser/_browser.ts";
import { ensureUiBuilt } from "../../scripts/ui_build.ts";
import { quantile } from "./_stats.ts";

const runs = Number(Deno.args[0] ?? 3);
const STEP = Number(Deno.args[1] ?? 400);
const SPANS = Number(Deno.args[2] ?? 10_000);

/** A trace of `count` spans: a root, steps of 100 calls. */
function bigTrace(workspaceId: string, count: number) {
  const traceId = hexId(16);
  const t0 = Date.now() * 1000 - 600_000_000;
  const span = (o: Record<string, unknown>) => ({
    workspace_id: workspaceId,
    trace_id: traceId,
    method: "",
    status_code: 0,
    output: "",
    ...o,
  });
  const root = hexId(8);
  const spans = [span({
    span_id: root,
    parent_id: "0",
    span_name: "agent run",
    span_type: "agent",
    started_at_micros: t0,
    duration_micros: 590_000_000,
    input: "Plan a trip",
  })];
  for (let step = 0; spans.length < count; step++) {
    const id = hexId(8);
    const start = t0 + step * 5_900_000;
    spans.push(span({
      span_id: id,
      parent_id: root,
      span_name: `step ${step}`,
      span_type: "agent",
      started_at_micros: start,
      duration_micros: 5_800_000,
      input: `step ${step}`,
    }));
    for (let i = 0; i < 99 && spans.length < count; i++) {
      const model = i % 2 === 0;
      spans.push(span({
        span_id: hexId(8),
        parent_id: id,
        span_name: model ? "chat gpt-4o" : `tool_${i % 7}`,
        span_type: model ? "model" : "tool",
        started_at_micros: start + i * 58_000,
        duration_micros: 40_000 + (i % 13) * 1_000,
        status_code: !model && i % 10 === 1 ? 500 : 0,
        input: model
          ? JSON.stringify({ messages: [{ role: "user", content: `question ${step}.${i}` }] })
          : `{"arg":${i}}`,
        output: model
          ? JSON.stringify({ choices: [{ message: { role: "assistant", content: "answer" } }] })
          : "ok",
        tags_string: model ? { model_name: "gpt-4o" } : {},
        tags_long: model ? { input_tokens: 120 + i, output_tokens: 30 } : {},
      }));
    }
  }
  return { traceId, spans };
}

// In-page scripts (strings: this file is type-checked without the DOM's types).
const RENDERED = (n: number) =>
  `document.querySelector('[data-testid=trace-tree][data-rows="${n}"] [role=treeitem]')
    ? performance.now() : false`;
const TRACE_API = `(() => {
  const e = performance.getEntriesByType("resource")
    .find((r) => r.name.includes("/api/observability/v1/traces/"));
  return e ? { ms: e.responseEnd - e.startTime, bytes: e.decodedBodySize } : { ms: NaN, bytes: 0 };
})()`;
// Scrolls the tree to its end, `step` px per frame; every frame's time and the long ones.
const SCROLL = (step: number) =>
  `(async () => {
  const el = document.querySelector("[data-testid=trace-tree]");
  const loaf = [];
  let observer;
  try {
    observer = new PerformanceObserver((l) =>
      l.getEntries().forEach((e) =>
        loaf.push({
          ms: e.duration,
          script: e.scripts.reduce((n, x) => n + x.duration, 0),
          layout: e.startTime + e.duration - e.styleAndLayoutStart,
          sources: e.scripts.map((x) => x.invoker + " " + x.sourceFunctionName + " " + x.duration.toFixed(0)).join("; "),
        })
      )
    );
    observer.observe({ type: "long-animation-frame" });
  } catch { /* not supported */ }
  const frames = [];
  const work = [];
  const started = performance.now();
  await new Promise((done) => {
    let last = performance.now();
    const tick = (t) => {
      // Scroll events run before animation frame callbacks, in the same frame: the time from
      // the frame's start to here is mostly the scroll handling (the tree's render).
      work.push(performance.now() - t);
      frames.push(t - last);
      last = t;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return done();
      el.scrollTop += ${step};
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  observer?.disconnect();
  return {
    frames: frames.slice(1),
    work: work.slice(1),
    loaf,
    ms: performance.now() - started,
    rows: el.querySelectorAll("[role=treeitem]").length,
  };
})()`;

await ensureUiBuilt();
const server = await startServer({}, { mode: "embedded", timeoutMs: 120_000 });
const b = await launchBrowser();
try {
  const user = await registerUser(server);
  const token = await createToken(server, user.cookie);
  const { traceId, spans } = bigTrace(user.spaceId, SPANS);
  for (let i = 0; i < spans.length; i += 1000) {
    const r = await post(server, "/v1/loop/traces/ingest", { spans: spans.slice(i, i + 1000) }, {
      token,
    });
    if (r.body.code !== 0) throw new Error(`ingest: ${JSON.stringify(r.body)}`);
  }
  const deadline = Date.now() + 180_000;
  for (;;) {
    const r = await post(server, "/v1/loop/traces/search", {
      workspace_id: user.spaceId,
      trace_id: traceId,
      start_time: String(Date.now() - 86_400_000),
      end_time: String(Date.now() + 60_000),
      limit: 10_000,
    }, { token });
    const n = r.body.data?.spans?.length ?? 0;
    if (n >= spans.length) break;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${spans.length} spans stored`);
    await new Promise((r) => setTimeout(r, 1000));
  }

  const page = await b.newPage();
  const [name, value] = user.cookie.split("=");
  await b.browser.setCookie({ name, value, domain: "127.0.0.1", path: "/" });
  const traceUrl = `${server.url}/console/enterprise/personal/space/${user.spaceId}` +
    `/observation/traces?trace_id=${traceId}`;
  const open: { total: number; api: number }[] = [];
  let answerBytes = 0;
  for (let run = 0; run < runs; run++) {
    await page.goto(traceUrl, { waitUntil: "domcontentloaded" });
    // performance.now() in the page counts from the navigation's start.
    const total = await (await page.waitForFunction(RENDERED(spans.length), {
      timeout: 120_000,
      polling: "raf",
    })).jsonValue() as number;
    const api = await page.evaluate(TRACE_API) as { ms: number; bytes: number };
    answerBytes = api.bytes;
    open.push({ total, api: api.ms });
  }
  // The page settles first (the span pane's annotations, images): the scroll is measured alone.
  await new Promise((r) => setTimeout(r, 1_000));
  const scroll = await page.evaluate(SCROLL(STEP)) as {
    frames: number[];
    work: number[];
    loaf: { ms: number; script: number; layout: number; sources: string }[];
    ms: number;
    rows: number;
  };
  // A tree search: typed, then timed until the tree shows the matches and their ancestors.
  await page.evaluate(`document.querySelector("[data-testid=trace-tree]").scrollTop = 0`);
  const searchStart = performance.now();
  await page.type("input[aria-label='Search spans']", "tool_3");
  const expected = spans.filter((x) =>
    String((x as { span_name?: string }).span_name).includes("tool_3")
  )
    .length;
  await page.waitForFunction(
    `document.querySelector("[data-testid=search-count]")?.textContent === "${expected} found"`,
    { timeout: 60_000, polling: "raf" },
  );
  const searchMs = performance.now() - searchStart;
  const found = await page.$eval("[data-testid=search-count]", (e) => e.textContent);

  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const ms1 = (x: number) => `${x.toFixed(1)} ms`;
  const warm = open.slice(1);
  console.log(`| trace view, ${spans.length.toLocaleString("en-US")} spans | figure |`);
  console.log("|---|---|");
  console.log(
    `| open, cold cache: navigation to the tree rendered | ${ms(open[0].total)} ` +
      `(trace API answer ${ms(open[0].api)}, ${(answerBytes / 1e6).toFixed(1)} MB of JSON) |`,
  );
  if (warm.length) {
    console.log(
      `| open, warm (median of ${warm.length}): navigation to the tree rendered | ` +
        `${ms(quantile(warm.map((o) => o.total), 0.5))} ` +
        `(trace API answer ${ms(quantile(warm.map((o) => o.api), 0.5))}) |`,
    );
  }
  const f = scroll.frames;
  console.log(
    `| scroll top to bottom, ${STEP} px per frame: ${f.length} frames in ${ms(scroll.ms)} | ` +
      `longest frame ${ms(Math.max(...f))}, p95 ${ms(quantile(f, 0.95))}, ` +
      `median ${ms(quantile(f, 0.5))} |`,
  );
  const w = scroll.work;
  console.log(
    `| per frame, from the frame's start to its animation callback (the scroll's render) | ` +
      `median ${ms1(quantile(w, 0.5))}, p95 ${ms1(quantile(w, 0.95))}, max ${
        ms1(Math.max(...w))
      } |`,
  );
  const long = scroll.loaf;
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  console.log(
    `| long animation frames (> 50 ms) while scrolling | ${long.length}` +
      (long.length
        ? `, longest ${ms(Math.max(...long.map((l) => l.ms)))}; in them, scripts ` +
          `${ms(sum(long.map((l) => l.script)))}, style and layout ` +
          `${ms(sum(long.map((l) => l.layout)))} of ${ms(sum(long.map((l) => l.ms)))}`
        : "") +
      ` |`,
  );
  if (Deno.env.get("UI_TRACE_DETAIL")) { for (const l of long) console.log(l); }
  console.log(
    `| search the tree for "tool_3" (${found}): typing 6 characters to the rows shown | ` +
      `${ms(searchMs)} |`,
  );
  console.log(`rows in the DOM at the end of the scroll: ${scroll.rows} (virtualized)`);
} finally {
  await b.close();
  await server.stop();
}
