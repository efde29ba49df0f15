/**
 * What the embedded engine spends to store spans: process CPU time (all threads, from
 * /proc/self/stat) for inserting rows as the span writer does (JSON lines, batches of a given
 * size) and for the background merges that follow, until the engine is idle. CPU time, not
 * wall time, so that it holds on a busy machine. Compares the OTLP workload's rows with the
 * SDK JSON benchmark's, and table variants.
 * Usage: ck_insert_cost_bench.ts [otlp|sdk] [rows=100000] [batchMiB=8] [variant=current]
 * Variants: current (the span table alone), roots (with the root table and its view), rootsnull
 * (the view into a Null table), -rg<N> (root granules of N rows), -rpacked, -rnoidx; others
 * edit the span table (noidx, horiz, null, nominc, nogran, nottl, plain, nopart, nocodec,
 * compact, wide, packed<MiB>, gran1m). BENCH_ROWS_CACHE=<file> reuses the generated rows.
 */
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import { observabilityDdl, SPANS_TABLE } from "../../domains/observability/ck_schema.ts";
import {
  decodeOtlpProtobuf,
  maybeGunzip,
  otlpToRows,
} from "../../domains/observability/otlp/mod.ts";
import { normalizeSpan } from "../../domains/observability/normalize.ts";
import type { SpanRow } from "../../domains/observability/types.ts";
import { batch } from "./_spans.ts";
import { otlpRequest } from "./otlp_workload.ts";

const kind = Deno.args[0] ?? "otlp";
const total = Number(Deno.args[1] ?? 100_000);
const batchBytes = Number(Deno.args[2] ?? 8) * 1024 * 1024;
const variant = Deno.args[3] ?? "current";

function cpuSeconds(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, USER_HZ 100
}

const baseUs = (Date.now() - 3_600_000) * 1000;
let lines: string[] = [];
// BENCH_ROWS_CACHE=<file>: the generated rows, written on the first run and read after.
const cache = Deno.env.get("BENCH_ROWS_CACHE");
const cached = cache ? await Deno.readTextFile(cache).catch(() => undefined) : undefined;
if (cached) lines = cached.split(/(?<=\n)/);
for (let r = 0; lines.length < total; r++) {
  let rows: SpanRow[];
  if (kind === "otlp") {
    const q = await otlpRequest(r, baseUs);
    rows = otlpToRows(decodeOtlpProtobuf(await maybeGunzip(q.body, "gzip")), "7").rows;
  } else {
    rows = batch("7", baseUs + r * 100_000).flatMap((s) => {
      const n = normalizeSpan(s, Date.now() * 1000);
      return "row" in n ? [n.row] : [];
    });
  }
  for (const row of rows) lines.push(JSON.stringify(row) + "\n");
}
if (cache && !cached) await Deno.writeTextFile(cache, lines.join(""));
const enc = new TextEncoder();
const batches: Uint8Array[][] = [];
let cur: Uint8Array[] = [], size = 0, text = "";
for (const l of lines.slice(0, total)) {
  text += l;
  if (text.length > 900 * 1024) {
    cur.push(enc.encode(text));
    size += text.length;
    text = "";
    if (size >= batchBytes) {
      batches.push(cur);
      cur = [];
      size = 0;
    }
  }
}
if (text) cur.push(enc.encode(text));
if (cur.length) batches.push(cur);

const dir = await Deno.makeTempDir({ prefix: "ck-insert-cost-" });
const ck = createChdbAnalytics({ dataDir: dir, database: "bench" });
// "roots" in the variant: the whole DDL (the root table and its view too); "rg<N>": the root
// table's granules of N rows instead of the schema's.
const all = observabilityDdl(30);
let ddl = variant.includes("roots")
  ? all.filter((d) => !d.includes("observability_annotations"))
  : all.slice(0, 1);
const rg = /rg(\d+)/.exec(variant);
if (rg) ddl = ddl.map((d) => d.replace(/index_granularity = \d+/, `index_granularity = ${rg[1]}`));
if (variant.includes("rootsnull")) {
  ddl = ddl.map((d) =>
    d.includes("CREATE TABLE IF NOT EXISTS observability_root_spans")
      ? d.replace(/\s*INDEX [^\n]*/g, "").replace(/,(\s*\) ENGINE)/, "$1").replace(
        /\) ENGINE = [\s\S]*$/,
        ") ENGINE = Null",
      )
      : d
  ).filter((d) => !/ALTER TABLE observability_root_spans/.test(d));
}
const isRoot = (d: string) => d.includes("CREATE TABLE IF NOT EXISTS observability_root_spans");
if (variant.includes("rpacked")) {
  ddl = ddl.map((d) =>
    isRoot(d) ? d.replace("SETTINGS ", "SETTINGS min_bytes_for_full_part_storage = 134217728, ") : d
  );
}
if (variant.includes("rnoidx")) {
  ddl = ddl.map((d) =>
    isRoot(d) ? d.replace(/\s*INDEX [^\n]*/g, "").replace(/,(\s*\) ENGINE)/, "$1") : d
  );
}
if (rg?.[1] === "0") ddl = ddl.map((d) => d.replace(/, index_granularity = 0/, ""));
if (!/^(current|roots|rootsnull)?(-?rg\d+)?(-rpacked)?(-rnoidx)?$/.test(variant)) {
  ddl = ddl.map((d) => {
    let out = d;
    const noIndexes = (t: string) =>
      t.split("\n").filter((l) => !l.includes("INDEX ")).join("\n").replace(
        /,(\s*\) ENGINE)/,
        "$1",
      );
    if (variant.includes("noidx")) out = noIndexes(out);
    if (variant.includes("horiz")) out = out.replace(/\s*SETTINGS[^\n]*\n[^\n]*/, "");
    if (variant.includes("null")) {
      out = noIndexes(out).replace(/\) ENGINE = [\s\S]*$/, ") ENGINE = Null");
    }
    if (variant.includes("nominc")) out = out.replace(/,?\s*min_compress_block_size = \d+/, "");
    if (variant.includes("nogran")) out = out.replace(/,?\s*index_granularity_bytes = \d+/, "");
    if (variant.includes("nottl")) out = out.replace(/\n\s*TTL [^\n]*/, "");
    if (variant.includes("plain")) {
      out = out.replace("ReplacingMergeTree(ingest_time)", "MergeTree");
    }
    if (variant.includes("nopart")) out = out.replace(/\n\s*PARTITION BY [^\n]*/, "");
    if (variant.includes("nocodec")) {
      out = out.replace(/\b(input|output) String,/g, "$1 String CODEC(NONE),");
    }
    if (variant.includes("compact")) {
      out = out.replace("SETTINGS ", "SETTINGS min_bytes_for_wide_part = 1073741824, ");
    }
    const packed = /packed(\d+)/.exec(variant);
    if (packed) {
      out = out.replace(
        "SETTINGS ",
        `SETTINGS min_bytes_for_full_part_storage = ${Number(packed[1]) * 1048576}, `,
      );
    }
    if (variant.includes("wide")) {
      out = out.replace("SETTINGS ", "SETTINGS min_bytes_for_wide_part = 0, ");
    }
    if (variant.includes("gran1m")) {
      out = out.replace("SETTINGS ", "SETTINGS index_granularity_bytes = 1048576, ");
    }
    return out;
  });
}
await ck.migrate(ddl);
await ck.query("SELECT 1");
const status = (k: string) =>
  Number(
    /^VmHWM|^VmRSS/.test(k)
      ? new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(Deno.readTextFileSync("/proc/self/status"))![1]
      : 0,
  ) / 1024;
const rss0 = status("VmRSS");
let trackPeak = 0;
const c0 = cpuSeconds();
const t0 = performance.now();
for (const b of batches) {
  await ck.insertJsonLines(SPANS_TABLE, b);
  const m = await ck.query<{ value: string }>(
    "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'",
  );
  trackPeak = Math.max(trackPeak, Number(m[0]?.value ?? 0) / 1048576);
}
const c1 = cpuSeconds();
const t1 = performance.now();
// Until no merge runs for two seconds.
let idleSince = performance.now();
while (performance.now() - idleSince < 2_000) {
  const m = await ck.query<{ n: string }>("SELECT count() AS n FROM system.merges");
  if (Number(m[0].n) > 0) idleSince = performance.now();
  await new Promise((r) => setTimeout(r, 100));
}
const c2 = cpuSeconds();
const parts = await ck.query(
  `SELECT count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE table = '${SPANS_TABLE}' AND active`,
);
if (Deno.env.get("SHOW_CODEC")) {
  console.log(
    await ck.query(
      `SELECT default_compression_codec, part_type, count() n FROM system.parts WHERE table = '${SPANS_TABLE}' AND active GROUP BY ALL`,
    ),
  );
  console.log(
    await ck.query(
      `SELECT column, sum(column_data_compressed_bytes) c, sum(column_data_uncompressed_bytes) u FROM system.parts_columns WHERE table = '${SPANS_TABLE}' AND active GROUP BY column ORDER BY u DESC LIMIT 8`,
    ),
  );
}
console.log(
  `RSS before inserts ${rss0.toFixed(0)} MiB, after ${status("VmRSS").toFixed(0)}, peak ${
    status("VmHWM").toFixed(0)
  }; engine MemoryTracking peak ${trackPeak.toFixed(0)} MiB`,
);
console.log(
  `${kind} ${total} rows, ${batches.length} inserts of ~${Deno.args[2] ?? 8} MiB, ${variant}: ` +
    `insert CPU ${(c1 - c0).toFixed(2)} s (wall ${((t1 - t0) / 1000).toFixed(2)} s), ` +
    `merges after ${(c2 - c1 - 0.0).toFixed(2)} s (incl. polling); parts ${
      JSON.stringify(parts[0])
    }; ` +
    `JSON ${(lines.slice(0, total).reduce((a, l) => a + l.length, 0) / total).toFixed(0)} B/row`,
);
await ck.close();
await Deno.remove(dir, { recursive: true });
