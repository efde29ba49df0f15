// The first 12 runs of the root-page query (error roots, roots of user-7) in process on a kept
// embedded directory, ms each, with the engine's JIT compilation on: `_qjit.ts <data
// dir>/analytics`; X=0 runs them as the span list does, without it.
import { NO_JIT, PAGE_SETTINGS } from "../../domains/observability/query/_pages.ts";
import { openKept, rootPageSql } from "./_kept.ts";

const { ck, space } = await openKept(Deno.args[0]);
const settings = Deno.env.get("X") === "0"
  ? PAGE_SETTINGS
  : PAGE_SETTINGS.replace(NO_JIT, "compile_expressions = 1, compile_sort_description = 1");
for (const cond of ["status_code != 0", "tag_user_id = {u:String}"]) {
  const sql = rootPageSql(cond, { settings });
  const p = cond.includes("{u") ? { space, u: "user-7" } : { space };
  const t: string[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await ck.query(sql, p);
    t.push((performance.now() - t0).toFixed(0));
  }
  console.log(`${cond}: ${t.join(" ")}`);
}
await ck.close();
