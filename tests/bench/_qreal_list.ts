// Times the span list's queries (root lists: one; others: keys, then rows by key) on the real
// ClickHouse, for the workspace with the most spans: `_qreal_list.ts [runs=20]` (needs the
// services' environment).
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { createSpanQueryService } from "../../domains/observability/query/spans.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import { testConfig } from "../_env.ts";

const ck = createClickHouse(testConfig().clickhouse);
const runs = Number(Deno.args[0] ?? 20);
const top = await ck.query<{ s: string; n: string; t: string }>(
  "SELECT space_id AS s, count() AS n, max(start_time) AS t FROM observability_spans GROUP BY s ORDER BY n DESC LIMIT 1",
);
const space = BigInt(top[0].s);
const endMs = Math.floor(Number(top[0].t) / 1000) + 1;
const authz = { requireMember: () => Promise.resolve("owner") } as unknown as Authz;
// Each query's time, by wrapping the client.
const spent: number[] = [];
const timed = {
  ...ck,
  query: async <T>(sql: string, params?: Record<string, unknown>) => {
    const t0 = performance.now();
    const r = await ck.query<T>(sql, params);
    spent.push(performance.now() - t0);
    return r;
  },
};
const svc = createSpanQueryService({ ck: timed, authz });
const q = (field_name: string, values: string[]) => ({
  workspaceId: space,
  startTimeMs: endMs - 3 * 3_600_000,
  endTimeMs: endMs,
  pageSize: 50,
  filters: { filter_fields: [{ field_name, query_type: "eq", values }] },
});
for (
  const [name, query] of [["error roots", q("status", ["error"])], [
    "user-7",
    q("user_id", ["user-7"]),
  ]] as const
) {
  const keys: number[] = [], rows: number[] = [], all: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    spent.length = 0;
    const t0 = performance.now();
    await svc.list(1n, query);
    if (i < 2) continue;
    all.push(performance.now() - t0);
    keys.push(spent[0]);
    rows.push(spent[1] ?? 0);
  }
  const p50 = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)].toFixed(1);
  console.log(
    `${name}: list p50 ${p50(all)} ms = first query ${p50(keys)} + second ${
      p50(rows)
    } (space ${space}, ${top[0].n} spans)`,
  );
}
await ck.close();
