/**
 * OTLP/HTTP ingestion next to the SDK JSON path, in one run: a server subprocess per path
 * (zero-setup mode in its sandbox, or the real services), batches of 100 spans from
 * `concurrency` connections; OTLP bodies are protobuf, gzipped, 10 traces of 10 GenAI spans of
 * ~2.4 KB (./otlp_workload.ts), SDK bodies the ingestion benchmarks' spans (./_spans.ts).
 * Measures acknowledged and end-to-end spans/s (queryable = found by the server's own span
 * search), the server's RSS after the run and its peak, the newest 50 root spans with a status
 * or a tag filter (p50/p99), and checks that every acknowledged span is listed exactly once.
 * Usage: otlp_bench.ts [spans=100000] [concurrency=8] [embedded|real|both]
 * BENCH_PROFILE=<dir>: a V8 CPU profile of each server (written there, and summarized);
 * BENCH_VERIFY=0 skips the final listing of every span; BENCH_SDK=0 skips the SDK JSON path;
 * BENCH_KEEP_DATA=1 keeps an embedded server's data directory (its path is printed);
 * BENCH_SEARCH_RUNS=<n> times each search n times (50); BENCH_SEARCH_WAITS=0,10 times them
 * again after each wait (s); BENCH_SERVER_LOG=<path> writes each server's log to <path>.<kind>;
 * BENCH_SERVER_V8_FLAGS=--trace-gc (comma-separated) adds V8 flags to the servers'.
 */
import { createToken, registerUser } from "../e2e/_client.ts";
import { BATCH, batch } from "./_spans.ts";
import { quantile } from "./_stats.ts";
import { OTLP_BATCH, otlpRequest } from "./otlp_workload.ts";
import {
  type BenchServer,
  countAll,
  searchSpans,
  startBenchServer,
  waitForMarkers,
} from "./otlp_server.ts";
import { startCpuProfile, summarizeProfile } from "./otlp_profile.ts";

const total = Number(Deno.args[0] ?? 100_000);
const concurrency = Number(Deno.args[1] ?? 8);
const modeArg = Deno.args[2] ?? "embedded";
const modes = modeArg === "both" ? ["embedded", "real"] as const : [modeArg as "embedded" | "real"];
const profileDir = Deno.env.get("BENCH_PROFILE");
const verify = Deno.env.get("BENCH_VERIFY") !== "0";
const withSdk = Deno.env.get("BENCH_SDK") !== "0";
/** Timed runs of each search (after 3 untimed); with 50, the p99 is the slowest run. */
const searchRuns = Number(Deno.env.get("BENCH_SEARCH_RUNS") ?? 50);
/** Rounds of the searches: at once, then after each of these waits (s), e.g. "0,10". */
const searchWaits = (Deno.env.get("BENCH_SEARCH_WAITS") ?? "0").split(",").map(Number);

interface Body {
  data: Uint8Array | string;
  marker: string;
  spanIds: string[];
}

interface Result {
  path: string;
  mode: string;
  acked: number;
  queryable: number;
  rss: number;
  peak: number;
  load: string;
  verified?: string;
  queries: string[];
  threads: string;
  split: string;
  busy: number;
  logs: string;
}

let busyRetries = 0;

/** The server's log lines counted by level and message, most frequent first. */
function logSummary(logs: string): string {
  const counts = new Map<string, number>();
  for (const line of logs.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const j = JSON.parse(line);
      const key = `${j.level ?? "?"} ${j.msg ?? j.message ?? "?"}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch { /* not a log line */ }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${n}x ${k}`)
    .join("; ");
}

const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

async function makeBodies(kind: "otlp" | "sdk", space: string, baseUs: number, n: number) {
  const out: Body[] = [];
  for (let r = 0; r < n; r++) {
    if (kind === "otlp") {
      const q = await otlpRequest(r, baseUs);
      out.push({ data: q.body, marker: q.marker, spanIds: q.spanIds });
    } else {
      const spans = batch(space, baseUs + r * BATCH * 1000);
      const spanIds = spans.map((s) => s.span_id as string);
      out.push({ data: JSON.stringify({ spans }), marker: spanIds[0], spanIds });
    }
  }
  return out;
}

async function send(kind: "otlp" | "sdk", url: string, token: string, space: string, b: Body) {
  for (;;) {
    const r = await fetch(
      `${url}${kind === "otlp" ? "/v1/loop/opentelemetry/v1/traces" : "/v1/loop/traces/ingest"}`,
      {
        method: "POST",
        headers: kind === "otlp"
          ? {
            "content-type": "application/x-protobuf",
            "content-encoding": "gzip",
            "cozeloop-workspace-id": space,
            authorization: `Bearer ${token}`,
          }
          : { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: b.data as BodyInit,
      },
    );
    const answer = new Uint8Array(await r.arrayBuffer());
    if (r.status === 503) { // OTLP decoding busy: retry as exporters do
      busyRetries++;
      await new Promise((res) => setTimeout(res, 100));
      continue;
    }
    if (r.status !== 200 || (kind === "otlp" && answer.length !== 0)) {
      throw new Error(`${kind} ingest: ${r.status} ${new TextDecoder().decode(answer)}`);
    }
    return;
  }
}

async function timeQuery(
  url: string,
  token: string,
  body: Record<string, unknown>,
  runs = searchRuns,
): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const page = await searchSpans(url, token, body);
    if (i >= 3) times.push(performance.now() - t0);
    if (page.spans.length === 0) throw new Error(`query found ${page.spans.length} spans`);
  }
  return `p50 ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms, ` +
    `max ${quantile(times, 1).toFixed(1)} ms (${runs} runs)`;
}

async function runPath(kind: "otlp" | "sdk", mode: "embedded" | "real"): Promise<Result> {
  const profile = profileDir !== undefined;
  const bs: BenchServer = await startBenchServer(mode, { inspect: profile });
  const url = bs.server.url;
  try {
    const user = await registerUser(bs.server);
    const token = await createToken(bs.server, user.cookie);
    const space = user.spaceId;
    const requests = Math.ceil(total / OTLP_BATCH);
    const baseUs = (Date.now() - 2 * 3_600_000) * 1000;
    const window = { start_time: String(Math.floor(baseUs / 1000) - 1000), end_time: "" };
    const warm = await makeBodies(kind, space, baseUs - 1_800_000_000, 2);
    for (const b of warm) await send(kind, url, token, space, b);
    window.end_time = String(Date.now() + 600_000);
    await waitForMarkers({
      url,
      token,
      space,
      markers: warm.map((b) => b.marker),
      window: {
        start_time: String(Math.floor(baseUs / 1000) - 3_600_000),
        end_time: window.end_time,
      },
    });
    const bodies = await makeBodies(kind, space, baseUs, requests);
    busyRetries = 0;
    const cpuBefore = bs.threadCpu();
    const profiler = profile ? await startCpuProfile(bs.inspectPort!) : undefined;
    const load0 = loadavg();
    const started = performance.now();
    // With the inspector: the server's V8 heap and external (ArrayBuffer) memory, at their highest.
    const v8Peak: Record<string, number> = {};
    const sampler = profiler
      ? setInterval(async () => {
        for (const [k, v] of Object.entries(await profiler.memoryUsage())) {
          v8Peak[k] = Math.max(v8Peak[k] ?? 0, v);
        }
      }, 500)
      : undefined;
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await send(kind, url, token, space, bodies[next++]);
    }));
    const acked = performance.now();
    // The bodies (~100 MB per 100,000 spans) are not needed again: dropped, and this
    // process's heap collected, so that its own garbage collections (tens of ms with them
    // held) are not timed as the server's search latency below.
    for (const b of bodies) b.data = "";
    (globalThis as { gc?: () => void }).gc?.();
    await waitForMarkers({ url, token, space, markers: bodies.map((b) => b.marker), window });
    const done = performance.now();
    const load1 = loadavg();
    const mem = bs.memory();
    clearInterval(sampler);
    if (profiler) {
      const peaks = Object.entries(v8Peak).map(([k, v]) => `${k} ${Math.round(v)}`).join(", ");
      console.error(`${kind} server, highest Deno.memoryUsage() while ingesting (MiB): ${peaks}`);
      const h = await profiler.heap();
      console.error(
        `V8 heap: ${Math.round(h.used)} MiB used, ${Math.round(h.total)} MiB committed`,
      );
      const p = await profiler.stop();
      await Deno.mkdir(profileDir!, { recursive: true });
      const file = `${profileDir}/${kind}_${mode}_${Date.now()}.cpuprofile`;
      await Deno.writeTextFile(file, JSON.stringify(p));
      console.error(`profile: ${file}\n${summarizeProfile(p).join("\n")}`);
    }
    const cpuAfter = bs.threadCpu();
    const threads = [...cpuAfter].map(([k, v]) => [k, v - (cpuBefore.get(k) ?? 0)] as const)
      .filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ");
    let verified: string | undefined;
    if (verify) {
      const expect = new Set(bodies.flatMap((b) => b.spanIds));
      const c = await countAll({ url, token, space, window, expect });
      verified =
        `${c.found}/${expect.size} listed, ${c.duplicates} duplicates, ${c.unexpected} unexpected`;
    }
    const queries: string[] = [];
    for (const waitS of kind === "otlp" ? searchWaits : []) {
      if (waitS > 0) {
        await new Promise((res) => setTimeout(res, waitS * 1000));
        queries.push(`after ${waitS} s more:`);
      }
      const q = (filter: Record<string, unknown>) => ({
        workspace_id: space,
        ...window,
        span_list_type: "root_span",
        page_size: 50,
        filters: { filter_fields: [filter] },
      });
      queries.push(
        `error roots: ${await timeQuery(
          url,
          token,
          q({ field_name: "status", query_type: "eq", values: ["error"] }),
        )}`,
        `roots of user-7: ${await timeQuery(
          url,
          token,
          q({ field_name: "user_id", query_type: "eq", values: ["user-7"] }),
        )}`,
      );
    }
    return {
      path: kind === "otlp" ? "OTLP protobuf+gzip" : "SDK JSON",
      mode,
      acked: (requests * OTLP_BATCH) / ((acked - started) / 1000),
      queryable: (requests * OTLP_BATCH) / ((done - started) / 1000),
      rss: mem.rss,
      peak: mem.peak,
      load: `${load0} -> ${load1}`,
      verified,
      queries,
      threads,
      busy: busyRetries,
      logs: logSummary(bs.server.logs()),
      split: `RSS after: ${Math.round(mem.anon)} MiB anonymous, ${
        Math.round(mem.file)
      } MiB file-backed`,
    };
  } finally {
    await bs.server.stop();
    const logFile = Deno.env.get("BENCH_SERVER_LOG");
    if (logFile) await Deno.writeTextFile(`${logFile}.${kind}`, bs.server.logs());
  }
}

const results: Result[] = [];
for (const mode of modes) {
  if (withSdk) results.push(await runPath("sdk", mode));
  results.push(await runPath("otlp", mode));
}
const n = (x: number) => Math.round(x).toLocaleString("en-US");
console.log(
  `\n${total} spans, batches of 100, ${concurrency} connections; ${new Date().toISOString()}`,
);
console.log(
  "| mode | path | acknowledged | end to end | server RSS after / peak | load (1/5/15 min, start -> end) |",
);
console.log("|---|---|---|---|---|---|");
for (const r of results) {
  console.log(
    `| ${r.mode} | ${r.path} | ${n(r.acked)} spans/s | ${n(r.queryable)} spans/s | ${n(r.rss)} / ${
      n(r.peak)
    } MiB | ${r.load} |`,
  );
}
for (const mode of modes) {
  const sdk = results.find((r) => r.mode === mode && r.path === "SDK JSON");
  const otlp = results.find((r) => r.mode === mode && r.path !== "SDK JSON")!;
  if (sdk) {
    console.log(
      `${mode}: OTLP / SDK JSON acknowledged ${(otlp.acked / sdk.acked).toFixed(2)}, end to end ${
        (otlp.queryable / sdk.queryable).toFixed(2)
      }`,
    );
  }
}
for (const r of results) {
  console.log(`${r.mode} ${r.path}: ${r.queries.join("; ")}${r.verified ? `; ${r.verified}` : ""}`);
  console.log(`  server CPU by thread: ${r.threads}; ${r.split}`);
  console.log(`  503 busy retries: ${r.busy}; server log: ${r.logs}`);
}
Deno.exit(0);
