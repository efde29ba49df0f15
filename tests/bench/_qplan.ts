// Where a root-page query's time goes in the embedded engine (system.events per query, 30
// runs): `_qplan.ts <data dir>/analytics`; V="<settings>|<settings>" adds variants.
import { openKept, rootPageSql } from "./_kept.ts";

const { ck, space } = await openKept(Deno.args[0]);
const p = { space };
const sql = rootPageSql("status_code != 0");
const EVENTS = [
  "QueryTimeMicroseconds",
  "UserTimeMicroseconds",
  "QueryAnalysisMicroseconds",
  "QueryPipelineBuildMicroseconds",
  "QueryPlanOptimizeMicroseconds",
  "QueryPlanBuildMicroseconds",
];
const snap = async () =>
  Object.fromEntries(
    (await ck.query<{ event: string; value: string }>(
      "SELECT event, value FROM system.events WHERE event IN {e:Array(String)}",
      { e: EVENTS },
    )).map((r) => [r.event, Number(r.value)]),
  );
for (const v of ["", ...(Deno.env.get("V") ?? "").split("|").filter(Boolean)]) {
  const q = v ? `${sql}, ${v}` : sql;
  for (let i = 0; i < 5; i++) await ck.query(q, p);
  const a = await snap();
  const n = 30;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await ck.query(q, p);
  const wall = (performance.now() - t0) / n;
  const b = await snap();
  const ms = (k: string) => ((b[k] - (a[k] ?? 0)) / n / 1000).toFixed(2);
  console.log(
    `[${v || "defaults"}] wall ${wall.toFixed(2)} ms; query ${ms(EVENTS[0])}, user CPU ${
      ms(EVENTS[1])
    }, analysis ${ms(EVENTS[2])}, pipeline ${ms(EVENTS[3])}, plan optimization ${
      ms(EVENTS[4])
    }, plan ${ms(EVENTS[5])}`,
  );
}
await ck.close();
