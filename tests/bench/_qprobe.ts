// Times the span list's queries in-process on a kept embedded data directory (one process per
// directory): `_qprobe.ts <data dir> "extra SQL;extra SQL"` ($T names the span table; N=runs).
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
const dir = Deno.args[0];
const ck = createChdbAnalytics({ dataDir: dir, database: "coze_loop" });
async function t(name: string, sql: string, params: Record<string, unknown> = {}, n = 30) {
  const times: number[] = [];
  let rows: unknown[] = [];
  for (let i = 0; i < n + 3; i++) {
    const t0 = performance.now();
    rows = await ck.query(sql, params);
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name}: p50 ${times[Math.floor(n / 2)].toFixed(1)} max ${
      times.at(-1)!.toFixed(1)
    } rows ${rows.length}`,
  );
  return rows;
}
console.log(await ck.query("SELECT name FROM system.databases"));
const db = (await ck.query<{ database: string }>(
  "SELECT database FROM system.tables WHERE name='observability_spans'",
))[0].database;
await ck.command(`USE ${db}`).catch(() => {});
const sp = await ck.query<{ space_id: string; c: string }>(
  `SELECT space_id, count() c FROM ${db}.observability_spans GROUP BY space_id ORDER BY c DESC`,
);
console.log(
  sp,
  await ck.query(
    `SELECT count() parts, sum(rows), sum(marks) FROM system.parts WHERE table='observability_spans' AND active`,
  ),
);
const space = sp[0].space_id;
const T = `${db}.observability_spans`;
await t("select 1", "SELECT 1");
const base =
  `space_id = {space:String} AND start_time >= {from:Int64} AND start_time <= {to:Int64} AND parent_id = '0'`;
const params = { space, from: 0, to: Date.now() * 1000 + 1e12, limit: 51 };
const keys = await t(
  "error root keys",
  `SELECT start_time, trace_id, span_id FROM ${T} WHERE ${base} AND status_code != 0 ORDER BY start_time DESC, span_id DESC LIMIT 1 BY trace_id, span_id LIMIT {limit:UInt32}`,
  params,
) as { start_time: string; span_id: string }[];
await t(
  "tag root keys",
  `SELECT start_time, trace_id, span_id FROM ${T} WHERE ${base} AND tags_string['user_id'] = 'user-7' ORDER BY start_time DESC, span_id DESC LIMIT 1 BY trace_id, span_id LIMIT {limit:UInt32}`,
  params,
);
await t(
  "error root keys no limit by",
  `SELECT start_time, trace_id, span_id FROM ${T} WHERE ${base} AND status_code != 0 ORDER BY start_time DESC, span_id DESC LIMIT {limit:UInt32}`,
  params,
);
const COLS =
  "space_id, trace_id, span_id, parent_id, start_time, duration, span_type, span_name, method, psm, logid, call_type, status_code, input, output, object_storage, tags_string, tags_long, tags_float, tags_bool, tags_byte, system_tags_string, system_tags_long, system_tags_float, ingest_time";
const times = keys.slice(0, 50).map((k) => BigInt(k.start_time));
const ids = keys.slice(0, 50).map((k) => k.span_id);
const min = times.reduce((a, b) => (b < a ? b : a)), max = times.reduce((a, b) => (b > a ? b : a));
await t(
  "rows by key",
  `SELECT ${COLS} FROM ${T} WHERE space_id = {space:String} AND start_time >= {min:Int64} AND start_time <= {max:Int64} AND start_time IN {times:Array(Int64)} AND span_id IN {ids:Array(String)}`,
  { space, min, max, times, ids },
);
const kp = { space, min, max, times, ids };
const kw =
  "space_id = {space:String} AND start_time >= {min:Int64} AND start_time <= {max:Int64} AND start_time IN {times:Array(Int64)} AND span_id IN {ids:Array(String)}";
await t("rows by key in/out", `SELECT input, output FROM ${T} WHERE ${kw}`, kp);
await t(
  "rows by key maps",
  `SELECT tags_string, tags_long, tags_float, tags_bool, tags_byte, system_tags_string, system_tags_long, system_tags_float FROM ${T} WHERE ${kw}`,
  kp,
);
console.log(
  (await ck.query<{ explain: string }>(
    `EXPLAIN indexes = 1 SELECT input FROM ${T} WHERE ${kw}`,
    kp,
  )).map((r) => r.explain).join("\n"),
);
await t(
  "rows by key narrow",
  `SELECT span_id, trace_id FROM ${T} WHERE space_id = {space:String} AND start_time >= {min:Int64} AND start_time <= {max:Int64} AND start_time IN {times:Array(Int64)} AND span_id IN {ids:Array(String)}`,
  { space, min, max, times, ids },
);
for (const extra of (Deno.args[1] ?? "").split(";").filter(Boolean)) {
  const all: Record<string, unknown> = { ...params };
  const used = Object.fromEntries(Object.entries(all).filter(([k]) => extra.includes(`{${k}:`)));
  const rows = await t(
    extra.slice(0, 90),
    extra.replaceAll("$T", T),
    used,
    Deno.env.get("N") ? Number(Deno.env.get("N")) : 30,
  );
  if (rows.length <= 30) console.log(rows);
}
await ck.close();
