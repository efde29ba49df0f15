/**
 * The OTLP path's stages in this process, per span, on the OTLP benchmark's workload: gunzip,
 * protobuf decode, mapping to rows (normalization included), and the queue's JSON lines; next
 * to the SDK JSON path's on its benchmark's spans (JSON.parse, normalization, JSON lines). No
 * server, no queue, no engine: what each stage costs on the JavaScript thread, steadier than
 * end-to-end figures on a shared machine. Usage: otlp_stages_bench.ts [requests=200] [rounds=5]
 */
import {
  decodeOtlpProtobuf,
  maybeGunzip,
  otlpToRows,
} from "../../domains/observability/otlp/mod.ts";
import { normalizeSpan } from "../../domains/observability/normalize.ts";
import type { SpanRow } from "../../domains/observability/types.ts";
import { batch } from "./_spans.ts";
import { OTLP_BATCH, otlpRequest } from "./otlp_workload.ts";

const requests = Number(Deno.args[0] ?? 200);
const rounds = Number(Deno.args[1] ?? 5);
const baseUs = (Date.now() - 3_600_000) * 1000;
const bodies = await Promise.all(
  Array.from({ length: requests }, (_, r) => otlpRequest(r, baseUs).then((q) => q.body)),
);
const sdkBodies = Array.from(
  { length: requests },
  (_, r) => new TextEncoder().encode(JSON.stringify({ spans: batch("7", baseUs + r * 100_000) })),
);

function serialize(rows: SpanRow[]): Uint8Array {
  let text = "";
  for (const row of rows) text += JSON.stringify(row) + "\n";
  return new TextEncoder().encode(text);
}

type Times = Record<string, number>;

async function otlpRound(t: Times) {
  for (const body of bodies) {
    let t0 = performance.now();
    const raw = await maybeGunzip(body, "gzip");
    let t1 = performance.now();
    t.gunzip += t1 - t0;
    t0 = t1;
    const request = decodeOtlpProtobuf(raw);
    t1 = performance.now();
    t.decode += t1 - t0;
    t0 = t1;
    const { rows } = otlpToRows(request, "7", Date.now() * 1000);
    t1 = performance.now();
    t["map to rows"] += t1 - t0;
    t0 = t1;
    serialize(rows);
    t.serialize += performance.now() - t0;
  }
}

function sdkRound(t: Times) {
  for (const body of sdkBodies) {
    let t0 = performance.now();
    const { spans } = JSON.parse(new TextDecoder().decode(body));
    let t1 = performance.now();
    t.parse += t1 - t0;
    t0 = t1;
    const now = Date.now() * 1000;
    const rows: SpanRow[] = [];
    for (const s of spans) {
      const n = normalizeSpan(s, now);
      if ("row" in n) rows.push(n.row);
    }
    t1 = performance.now();
    t.normalize += t1 - t0;
    t0 = t1;
    serialize(rows);
    t.serialize += performance.now() - t0;
  }
}

const best = {
  otlp: { gunzip: Infinity, decode: Infinity, "map to rows": Infinity, serialize: Infinity },
  sdk: { parse: Infinity, normalize: Infinity, serialize: Infinity },
} as Record<"otlp" | "sdk", Times>;
for (let round = 0; round < rounds; round++) {
  const o: Times = { gunzip: 0, decode: 0, "map to rows": 0, serialize: 0 };
  await otlpRound(o);
  const s: Times = { parse: 0, normalize: 0, serialize: 0 };
  sdkRound(s);
  for (const [path, t] of [["otlp", o], ["sdk", s]] as const) {
    for (const k of Object.keys(t)) best[path][k] = Math.min(best[path][k], t[k]);
  }
}
const spans = requests * OTLP_BATCH;
const us = (ms: number) => (1000 * ms / spans).toFixed(1);
const totals: Record<string, number> = {};
console.log(
  `| path | stage (best of ${rounds} rounds, ${spans} spans) | µs per span |\n|---|---|---|`,
);
for (const path of ["otlp", "sdk"] as const) {
  let sum = 0;
  for (const [k, v] of Object.entries(best[path])) {
    sum += v;
    console.log(`| ${path === "otlp" ? "OTLP" : "SDK JSON"} | ${k} | ${us(v)} |`);
  }
  totals[path] = sum;
  console.log(`| ${path === "otlp" ? "OTLP" : "SDK JSON"} | total | ${us(sum)} |`);
}
console.log(`OTLP / SDK JSON time per span: ${(totals.otlp / totals.sdk).toFixed(2)}`);
console.log(`load ${Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")}`);
