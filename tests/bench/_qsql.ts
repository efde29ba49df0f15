// Times SQL variants alternated run by run (a fair comparison on a busy machine), on a kept
// embedded data directory or `real:<database>`: `_qsql.ts <target> <sql> [<sql>...]` (RUNS=30).
// Parameters: {space}, {from}, {to} (the workspace with the most spans, its whole range), and
// for rows-by-key variants {min}, {max}, {times}, {ids} of the newest 50 keys of $KEYS (SQL).
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { testConfig } from "../_env.ts";
const target = Deno.args[0];
const ck = target.startsWith("real:")
  ? createClickHouse({ ...testConfig().clickhouse, database: target.slice(5) })
  : createChdbAnalytics({ dataDir: target, database: Deno.env.get("CK_DB") ?? "cozeloop" });
const top = await ck.query<{ s: string }>(
  "SELECT space_id AS s FROM observability_spans GROUP BY s ORDER BY count() DESC LIMIT 1",
);
const params: Record<string, unknown> = { space: top[0].s, from: 0, to: 4e15 };
const keysSql = Deno.env.get("KEYS");
if (keysSql) {
  const keys = await ck.query<{ start_time: string; span_id: string }>(keysSql, {
    space: params.space,
    from: 0,
    to: 4e15,
  });
  const times = keys.map((k) => BigInt(k.start_time));
  Object.assign(params, {
    times,
    ids: keys.map((k) => k.span_id),
    min: times.reduce((a, b) => (b < a ? b : a)),
    max: times.reduce((a, b) => (b > a ? b : a)),
  });
}
const sqls = Deno.args.slice(1);
const times = sqls.map(() => [] as number[]);
const counts: number[] = [];
const runs = Number(Deno.env.get("RUNS") ?? 30);
for (let i = 0; i < runs + 2; i++) {
  for (const [j, sql] of sqls.entries()) {
    const used = Object.fromEntries(
      Object.entries(params).filter(([k]) => sql.includes(`{${k}:`)),
    );
    const t0 = performance.now();
    const rows = await ck.query(sql, used);
    if (i >= 2) times[j].push(performance.now() - t0);
    counts[j] = rows.length;
  }
}
const pct = (x: number[], p: number) =>
  [...x].sort((a, b) => a - b)[Math.min(x.length - 1, Math.floor(p * x.length))].toFixed(1);
for (const [j, sql] of sqls.entries()) {
  console.log(
    `p50 ${pct(times[j], 0.5)} p90 ${pct(times[j], 0.9)} rows ${counts[j]}: ${sql.slice(0, 160)}`,
  );
}
await ck.close();
