/**
 * The OTLP benchmark's server side: a server subprocess (embedded in its sandbox, or on the
 * real services), its memory sampled from /proc, its threads' CPU time by thread name (the
 * ClickHouse engine's threads apart from the JavaScript thread), and spans counted the way
 * users see them, through the server's own span search.
 */
import { MALLOC_ENV, sandboxedCommand, V8_FLAGS } from "../../launch.ts";
import { freePort, type ServerProcess, spawnServer, withoutServices } from "../_server.ts";

/** A started server with its memory sampler. */
export interface BenchServer {
  server: ServerProcess;
  /** The inspector's port when started with `inspect`. */
  inspectPort?: number;
  /** RSS now (anonymous and file-backed parts) and the peak so far (VmHWM), in MiB. */
  memory(): { rss: number; peak: number; anon: number; file: number };
  /** CPU seconds by thread name since start (the main thread is "main"). */
  threadCpu(): Map<string, number>;
}

function statusField(pid: number, name: string): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) / 1024 : NaN;
}

const TICKS = 100; // USER_HZ on Linux

/** Starts a server subprocess in `mode`, optionally with the V8 inspector on. */
export async function startBenchServer(
  mode: "embedded" | "real",
  options: { inspect?: boolean; env?: Record<string, string> } = {},
): Promise<BenchServer> {
  const port = await freePort();
  const inspectPort = options.inspect ? await freePort() : undefined;
  const base: Record<string, string> = {
    ...MALLOC_ENV, // as the launcher sets them (real mode starts main.ts directly)
    COZE_LOOP_SESSION_SECRET: "bench-session-secret-for-the-otlp-benchmark",
    COZE_LOOP_REGISTER_PER_MINUTE: "100000",
    ...Deno.env.toObject(),
    PORT: String(port),
    HOST: "127.0.0.1",
    ...options.env,
  };
  let args = ["run", V8_FLAGS, "--allow-all", "main.ts"];
  let env = base;
  let dataDir: string | undefined;
  if (mode === "embedded") {
    dataDir = await Deno.makeTempDir({ prefix: "coze-loop-otlp-bench-" });
    const command = await sandboxedCommand({
      ...withoutServices(base),
      COZE_LOOP_DATA_DIR: dataDir,
    });
    args = command.args;
    env = command.env;
  }
  // More V8 flags for the server (e.g. --trace-gc with BENCH_SERVER_LOG), after the launcher's.
  const v8More = Deno.env.get("BENCH_SERVER_V8_FLAGS");
  if (v8More) args = args.map((a) => (a === V8_FLAGS ? `${V8_FLAGS},${v8More}` : a));
  if (inspectPort) args = ["run", `--inspect=127.0.0.1:${inspectPort}`, ...args.slice(1)];
  const server = await spawnServer({
    command: Deno.execPath(),
    args,
    env,
    port,
    mode,
    dataDir,
    timeoutMs: 120_000,
    keepData: Deno.env.get("BENCH_KEEP_DATA") === "1",
  });
  if (dataDir && Deno.env.get("BENCH_KEEP_DATA") === "1") console.error(`data kept in ${dataDir}`);
  const pid = server.child.pid;
  return {
    server,
    inspectPort,
    memory: () => ({
      rss: statusField(pid, "VmRSS"),
      peak: statusField(pid, "VmHWM"),
      anon: statusField(pid, "RssAnon"),
      file: statusField(pid, "RssFile"),
    }),
    threadCpu() {
      const out = new Map<string, number>();
      for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
        try {
          const stat = Deno.readTextFileSync(`/proc/${pid}/task/${entry.name}/stat`);
          const close = stat.lastIndexOf(")");
          const comm = entry.name === String(pid)
            ? "main"
            : stat.slice(stat.indexOf("(") + 1, close).replace(/[\d:]+$/, "");
          const f = stat.slice(close + 2).split(" ");
          const cpu = (Number(f[11]) + Number(f[12])) / TICKS; // utime + stime
          out.set(comm, (out.get(comm) ?? 0) + cpu);
        } catch { /* the thread ended meanwhile */ }
      }
      return out;
    },
  };
}

/** `/v1/loop/spans/search` from the benchmark's user. */
export async function searchSpans(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ spans: { span_id: string; trace_id: string }[]; next_page_token: string }> {
  const r = await fetch(`${url}/v1/loop/spans/search`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const j = await r.json();
  if (j.code !== 0) throw new Error(`spans/search: ${JSON.stringify(j).slice(0, 300)}`);
  return j.data;
}

/**
 * Waits until the server's search finds every marker span (one per request: its request's
 * spans are written in the same insert), asking for at most 200 not yet seen at a time.
 */
export async function waitForMarkers(o: {
  url: string;
  token: string;
  space: string;
  markers: string[];
  window: { start_time: string; end_time: string };
  timeoutMs?: number;
}): Promise<void> {
  const pending = new Set(o.markers);
  const deadline = Date.now() + (o.timeoutMs ?? 600_000);
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} request(s) never queryable`);
    const ask = [...pending].slice(0, 200);
    const page = await searchSpans(o.url, o.token, {
      workspace_id: o.space,
      ...o.window,
      span_list_type: "all_span",
      page_size: 200,
      filters: { filter_fields: [{ field_name: "span_id", query_type: "in", values: ask }] },
    });
    for (const s of page.spans) pending.delete(s.span_id);
    if (page.spans.length < ask.length) await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Every span the search lists in the window, paged by 1,000: how many distinct ids, and how
 * many ids came back more than once.
 */
export async function countAll(o: {
  url: string;
  token: string;
  space: string;
  window: { start_time: string; end_time: string };
  expect: Set<string>;
}): Promise<{ found: number; duplicates: number; unexpected: number }> {
  const seen = new Set<string>();
  let duplicates = 0, unexpected = 0;
  let token: string | undefined;
  do {
    const page = await searchSpans(o.url, o.token, {
      workspace_id: o.space,
      ...o.window,
      span_list_type: "all_span",
      page_size: 1000,
      page_token: token,
    });
    for (const s of page.spans) {
      if (seen.has(s.span_id)) duplicates++;
      else if (!o.expect.has(s.span_id)) unexpected++;
      seen.add(s.span_id);
    }
    token = page.next_page_token || undefined;
  } while (token);
  return { found: seen.size, duplicates, unexpected };
}
