// The root table with and without its tag indexes, in process on a kept embedded directory:
// its roots copied into two tables (PARTS=<n> inserts each, default 5), then the newest 50
// error roots, roots of user-7 and of a user with none, p50 of 30 runs each, two rounds:
// `_qindex.ts <data dir>/analytics`.
import { ROOT_SPANS_TABLE, SPAN_ROW_COLUMNS } from "../../domains/observability/ck_schema.ts";
import { openKept, rootPageSql } from "./_kept.ts";

const { ck, space } = await openKept(Deno.args[0]);
const ddl = Object.values(
  (await ck.query<Record<string, string>>(`SHOW CREATE TABLE ${ROOT_SPANS_TABLE}`))[0],
)[0].replace(/COMMENT '[^']*'/, "");
const tables: Record<string, string> = {
  indexed: ddl,
  unindexed: ddl.split("\n").filter((l) => !/INDEX idx_tag_/.test(l)).join("\n"),
};
const cols = SPAN_ROW_COLUMNS.join(", ");
const parts = Number(Deno.env.get("PARTS") ?? 5);
for (const [name, create] of Object.entries(tables)) {
  await ck.command(`DROP TABLE IF EXISTS qindex_${name}`);
  await ck.command(create.replace(`cozeloop.${ROOT_SPANS_TABLE}`, `qindex_${name}`));
  for (let k = 0; k < parts; k++) {
    await ck.command(
      `INSERT INTO qindex_${name} (${cols}) SELECT ${cols} FROM ${ROOT_SPANS_TABLE}
       WHERE cityHash64(span_id) % ${parts} = ${k}`,
    );
  }
}
const filters = [
  ["error roots", "status_code != 0"],
  ["user-7", "tag_user_id = 'user-7'"],
  ["no such user", "tag_user_id = 'nobody'"],
];
for (let round = 0; round < 2; round++) {
  for (const name of Object.keys(tables)) {
    const line = [name];
    for (const [label, cond] of filters) {
      const sql = rootPageSql(cond, { table: `qindex_${name}` });
      for (let i = 0; i < 5; i++) await ck.query(sql, { space });
      const t: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        await ck.query(sql, { space });
        t.push(performance.now() - t0);
      }
      t.sort((a, b) => a - b);
      line.push(`${label} p50 ${t[15].toFixed(1)} ms`);
    }
    console.log(line.join(" | "));
  }
}
for (const name of Object.keys(tables)) await ck.command(`DROP TABLE qindex_${name}`);
await ck.close();
