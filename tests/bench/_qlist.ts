// Times the span list in-process (error roots, roots of user-7: pages of 50), this tree's
// against other trees' (`BASE=<worktree>[,<worktree>...]`), alternated call by call, and checks
// that they answer the same (two pages): `_qlist.ts <data dir>/analytics|real:<database>
// [runs=40]` (LIST_TYPE=all_span|llm_span for the other lists). Run `_qroots.ts` on it first.
import { createChdbAnalytics } from "../../infra/ck/chdb.ts";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { testConfig } from "../_env.ts";
import {
  createSpanQueryService,
  type ListSpansQuery,
} from "../../domains/observability/query/spans.ts";
import type { Authz } from "../../domains/foundation/authz.ts";

// `real:<database>` is a database on the test environment's ClickHouse server instead.
const ck = Deno.args[0].startsWith("real:")
  ? createClickHouse({
    ...testConfig().clickhouse,
    database: Deno.args[0].slice(5),
    requestTimeoutMs: 600_000,
  })
  : createChdbAnalytics({ dataDir: Deno.args[0], database: Deno.env.get("CK_DB") ?? "cozeloop" });
const runs = Number(Deno.args[1] ?? 40);
const top = await ck.query<{ s: string; t: string }>(
  "SELECT space_id AS s, max(start_time) AS t FROM observability_spans GROUP BY s ORDER BY count() DESC LIMIT 1",
);
const authz = { requireMember: () => Promise.resolve("owner") } as unknown as Authz;
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
type Svc = ReturnType<typeof createSpanQueryService>;
const services: [string, Svc][] = [["new", createSpanQueryService({ ck: timed, authz })]];
// BASE: other trees (comma-separated) whose span list runs alternated with this one's.
for (const [i, base] of (Deno.env.get("BASE") ?? "").split(",").filter(Boolean).entries()) {
  const mod = await import(`${base}/domains/observability/query/spans.ts`);
  services.splice(i, 0, [
    base.split("/").at(-1)!,
    mod.createSpanQueryService({ ck: timed, authz }),
  ]);
}
const endMs = Math.floor(Number(top[0].t) / 1000) + 1;
const q = (field_name: string, values: string[]): ListSpansQuery => ({
  workspaceId: BigInt(top[0].s),
  startTimeMs: endMs - 3 * 86_400_000,
  endTimeMs: endMs + 600_000,
  pageSize: 50,
  spanListType: (Deno.env.get("LIST_TYPE") ?? "root_span") as ListSpansQuery["spanListType"],
  filters: { filter_fields: [{ field_name, query_type: "eq", values }] },
});
const queries = [["error roots", q("status", ["error"])], [
  "user-7",
  q("user_id", ["user-7"]),
]] as const;
const pct = (x: number[], p: number) =>
  [...x].sort((a, b) => a - b)[Math.min(x.length - 1, Math.floor(p * x.length))].toFixed(1);
for (const [name, query] of queries) {
  const stats = services.map(() => ({
    all: [] as number[],
    keys: [] as number[],
    rows: [] as number[],
  }));
  const answers: string[] = [];
  for (let i = 0; i < runs + 2; i++) {
    for (const [j, [, svc]] of services.entries()) {
      spent.length = 0;
      const t0 = performance.now();
      const page = await svc.list(1n, query);
      const all = performance.now() - t0;
      if (i === 0) {
        const next = page.nextPageToken
          ? await svc.list(1n, { ...query, pageToken: page.nextPageToken })
          : undefined;
        answers[j] = JSON.stringify([page, next]);
      }
      if (i < 2) continue;
      stats[j].all.push(all);
      stats[j].keys.push(spent.slice(0, -1).reduce((a, b) => a + b, 0));
      stats[j].rows.push(spent.at(-1) ?? 0);
    }
  }
  for (const [j, [label]] of services.entries()) {
    const s = stats[j];
    console.log(
      `${name} ${label}: list p50 ${pct(s.all, 0.5)} p90 ${pct(s.all, 0.9)} max ${
        pct(s.all, 1)
      } = keys ${pct(s.keys, 0.5)} + rows ${pct(s.rows, 0.5)}`,
    );
  }
  if (answers.length > 1) console.log(`  same answers: ${answers.every((a) => a === answers[0])}`);
}
await ck.close();
