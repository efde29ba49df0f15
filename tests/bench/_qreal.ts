// Runs SQL statements on the real ClickHouse of the test environment (scripts/services.sh env).
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { testConfig } from "../_env.ts";
const ck = createClickHouse(testConfig().clickhouse);
for (const sql of Deno.args) {
  const t0 = performance.now();
  try {
    console.log(
      JSON.stringify(await ck.query(sql)).slice(0, 1500),
      (performance.now() - t0).toFixed(1),
      "ms",
    );
  } catch (err) {
    console.log("ERR", (err as Error).message.slice(0, 300));
  }
}
await ck.close();
