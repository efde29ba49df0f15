/**
 * A V8 CPU profile of a server subprocess started with `--inspect` (Deno has no --cpu-prof):
 * the Profiler domain over the inspector's WebSocket, and a summary of the profile by stage
 * of the ingestion path (decode, mapping, normalization, queue, writer, ...), counting each
 * sample once for the innermost frame of ours (or of a known library) on its stack.
 */

/** A started CPU profile; `stop` returns the `.cpuprofile` document. */
export interface CpuProfiler {
  stop(): Promise<CpuProfile>;
  /** The V8 heap: used and committed (MiB). */
  heap(): Promise<{ used: number; total: number }>;
  /** The server's Deno.memoryUsage() (MiB). */
  memoryUsage(): Promise<Record<string, number>>;
}

/** The parts of a `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Connects to the inspector on `port` and starts sampling every `intervalUs`. */
export async function startCpuProfile(port: number, intervalUs = 500): Promise<CpuProfiler> {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.id !== undefined) waiting.get(m.id)?.(m.result ?? m.error);
  };
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: intervalUs });
  await call("Profiler.start");
  return {
    async heap() {
      const h = await call("Runtime.getHeapUsage") as { usedSize: number; totalSize: number };
      return { used: h.usedSize / 1048576, total: h.totalSize / 1048576 };
    },
    async memoryUsage() {
      const r = await call("Runtime.evaluate", {
        expression: "JSON.stringify(Deno.memoryUsage())",
        returnByValue: true,
      }) as { result: { value: string } };
      const m = JSON.parse(r.result.value) as Record<string, number>;
      return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v / 1048576]));
    },
    async stop() {
      const r = await call("Profiler.stop") as { profile: CpuProfile };
      ws.close();
      return r.profile;
    },
  };
}

/** Stages, by the file (or library) a frame belongs to; the first match wins. */
const STAGES: [string, RegExp][] = [
  ["gunzip", /otlp\/gzip\.ts/],
  ["protobuf decode (protobufjs)", /protobufjs|otlp-transformer/],
  ["decode to normalized shape", /otlp\/(decode|_values)\.ts/],
  ["attribute mapping", /otlp\/(map_spans|_fields|_tags|_io|_messages)\.ts/],
  ["normalization", /observability\/normalize\.ts/],
  ["serialization to the queue (ingest)", /observability\/ingest\.ts/],
  ["queue (SQLite)", /infra\/mq\//],
  ["writer + engine calls (FFI)", /infra\/ck\/|observability\/writer\.ts/],
  ["span search", /observability\/query\/|_wire\/convert_span/],
  ["HTTP routes + middleware", /routes\/|hono/],
];

/** Self time by stage and by function (top `top`), in ms and share of all samples. */
export function summarizeProfile(p: CpuProfile, top = 25): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const f = n.callFrame;
    let stage: string | undefined;
    if (f.functionName === "(garbage collector)") stage = "garbage collection";
    else if (f.functionName === "(idle)") stage = "idle";
    else if (f.functionName === "(program)") stage = "program (native, outside JS)";
    else stage = STAGES.find(([, re]) => re.test(f.url))?.[0];
    if (!stage) {
      const up = parent.get(id);
      stage = up === undefined ? "other" : resolve(up);
    }
    stageOf.set(id, stage);
    return stage;
  };
  const stageMs = new Map<string, number>();
  const fnMs = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const stage = resolve(id);
    stageMs.set(stage, (stageMs.get(stage) ?? 0) + dt);
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(main|npm)\//, "")}:${
      f.lineNumber + 1
    }`;
    fnMs.set(key, (fnMs.get(key) ?? 0) + dt);
  });
  const pct = (ms: number) => `${(100 * ms / total).toFixed(1)}%`;
  const lines = ["| stage (JS thread) | ms | share |", "|---|---|---|"];
  for (const [stage, ms] of [...stageMs].sort((a, b) => b[1] - a[1])) {
    lines.push(`| ${stage} | ${Math.round(ms)} | ${pct(ms)} |`);
  }
  lines.push("", "| function (self time) | ms | share |", "|---|---|---|");
  for (const [fn, ms] of [...fnMs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| ${fn} | ${Math.round(ms)} | ${pct(ms)} |`);
  }
  return lines;
}
