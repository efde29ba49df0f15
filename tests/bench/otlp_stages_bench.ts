/**
 * The OTLP path's stages in this process, per span, on the OTLP benchmark's workload: gunzip,
 * protobuf decode, attribute mapping, normalization, and the queue's JSON lines. No server, no
 * queue, no engine: what each stage costs on the JavaScript thread, steadier than end-to-end
 * figures on a shared machine. Usage: otlp_stages_bench.ts [requests=200] [rounds=5]
 */
import {
  decodeOtlpProtobuf,
  maybeGunzip,
  otlpToInputSpans,
} from "../../domains/observability/otlp/mod.ts";
import { normalizeSpan } from "../../domains/observability/normalize.ts";
import { OTLP_BATCH, otlpRequest } from "./otlp_workload.ts";

const requests = Number(Deno.args[0] ?? 200);
const rounds = Number(Deno.args[1] ?? 5);
const baseUs = (Date.now() - 3_600_000) * 1000;
const bodies = await Promise.all(
  Array.from({ length: requests }, (_, r) => otlpRequest(r, baseUs).then((q) => q.body)),
);
const spent = { gunzip: 0, decode: 0, map: 0, normalize: 0, serialize: 0 };
const best = { ...spent };
for (let round = 0; round < rounds; round++) {
  const t = { gunzip: 0, decode: 0, map: 0, normalize: 0, serialize: 0 };
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
    const mapped = otlpToInputSpans(request, "7");
    t1 = performance.now();
    t.map += t1 - t0;
    t0 = t1;
    const now = Date.now() * 1000;
    const rows = mapped.spans.map((s) => normalizeSpan(s, now));
    t1 = performance.now();
    t.normalize += t1 - t0;
    t0 = t1;
    let text = "";
    for (const n of rows) if ("row" in n) text += JSON.stringify(n.row) + "\n";
    new TextEncoder().encode(text);
    t.serialize += performance.now() - t0;
  }
  for (const k of Object.keys(t) as (keyof typeof t)[]) {
    if (round === 0 || t[k] < best[k]) best[k] = t[k];
  }
}
const spans = requests * OTLP_BATCH;
const us = (ms: number) => (1000 * ms / spans).toFixed(1);
console.log(`| stage (best of ${rounds} rounds, ${spans} spans) | µs per span |\n|---|---|`);
let sum = 0;
for (const [k, v] of Object.entries(best)) {
  sum += v;
  console.log(`| ${k} | ${us(v)} |`);
}
console.log(`| total | ${us(sum)} |`);
console.log(`load ${Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")}`);
