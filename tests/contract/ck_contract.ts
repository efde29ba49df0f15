/** Contract suite for `AnalyticsDb`: any implementation must pass it. */
import assert from "node:assert/strict";
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import { uniqueSuffix } from "../_env.ts";

/** Registers the analytics contract tests for one implementation. */
export function analyticsContract(impl: string, open: () => Promise<AnalyticsDb>): void {
  const test = (name: string, fn: (ck: AnalyticsDb, table: string) => Promise<void>) =>
    Deno.test({
      name: `ck contract (${impl}): ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const ck = await open();
        const table = `contract_${uniqueSuffix()}`;
        try {
          await ck.migrate([ddl(table)]);
          await fn(ck, table);
        } finally {
          await ck.command(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
          await ck.close();
        }
      },
    });

  const ddl = (t: string) =>
    `CREATE TABLE IF NOT EXISTS ${t} (
      space_id String, start_time Int64, span_id String, name String,
      tags_string Map(String, String), tags_long Map(String, Int64), note Nullable(String),
      INDEX idx_span span_id TYPE bloom_filter GRANULARITY 1
    ) ENGINE = MergeTree PARTITION BY toDate(intDiv(start_time, 1000000))
      ORDER BY (space_id, start_time, span_id)`;

  const rows = (n: number, space = "s1") =>
    Array.from({ length: n }, (_, i) => ({
      space_id: space,
      start_time: 1_700_000_000_000_000 + i,
      span_id: `span${i}`,
      name: i % 2 ? "odd" : "even",
      tags_string: { k: `v${i}` },
      tags_long: { n: i },
      note: i === 0 ? null : `note ${i}`,
    }));

  test("ping answers; migrations are idempotent", async (ck, t) => {
    await ck.ping();
    await ck.migrate([ddl(t), ddl(t), `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS extra String`]);
    await ck.migrate([`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS extra String`]);
  });

  test("batch insert then typed query with named parameters", async (ck, t) => {
    await ck.insert(t, rows(1_000));
    const r = await ck.query<{ n: string; odd: string }>(
      `SELECT count() AS n, countIf(name = {name:String}) AS odd FROM ${t} WHERE space_id = {space:String}`,
      { name: "odd", space: "s1" },
    );
    assert.equal(Number(r[0].n), 1_000);
    assert.equal(Number(r[0].odd), 500);
    const one = await ck.query<
      { span_id: string; tags_string: Record<string, string>; note: null }
    >(
      `SELECT span_id, tags_string, tags_long, note FROM ${t}
       WHERE span_id IN {ids:Array(String)} AND start_time >= {from:Int64} ORDER BY span_id`,
      { ids: ["span0", "span7"], from: 1_700_000_000_000_000 },
    );
    assert.deepEqual(one.map((x) => x.span_id), ["span0", "span7"]);
    assert.deepEqual(one[0].tags_string, { k: "v0" });
    assert.equal(one[0].note, null);
  });

  test("pre-encoded JSON lines insert as one batch", async (ck, t) => {
    const enc = new TextEncoder();
    const lines = rows(10).map((r) => JSON.stringify(r) + "\n");
    await ck.insertJsonLines(t, [
      enc.encode(lines.slice(0, 4).join("")),
      enc.encode(lines.slice(4).join("")),
    ]);
    const r = await ck.query<{ n: string }>(`SELECT count() AS n FROM ${t}`);
    assert.equal(Number(r[0].n), 10);
    await ck.insertJsonLines(t, []);
    await assert.rejects(ck.insertJsonLines(t, [enc.encode("{not json}\n")]));
  });

  test("hostile parameter values are matched literally, never executed", async (ck, t) => {
    const hostile = [
      `'); DROP TABLE ${t}; --`,
      `a\\'b"c\\\\`,
      "line\nbreak\ttab",
      "ünïcödé ☃ 𝄞",
      "x".repeat(100_000),
      ") OR 1=1 --",
    ];
    await ck.insert(t, hostile.map((name, i) => ({ ...rows(1)[0], span_id: `h${i}`, name })));
    for (const name of hostile) {
      const r = await ck.query<{ span_id: string; name: string }>(
        `SELECT span_id, name FROM ${t} WHERE name = {name:String}`,
        { name },
      );
      assert.equal(r.length, 1, `exactly one match for ${JSON.stringify(name.slice(0, 30))}`);
      assert.equal(r[0].name, name);
    }
    const total = await ck.query<{ n: string }>(`SELECT count() AS n FROM ${t}`);
    assert.equal(Number(total[0].n), hostile.length, "table intact");
  });

  test("placeholders and parameters must match", async (ck, t) => {
    await assert.rejects(
      ck.query(`SELECT 1 FROM ${t} WHERE name = {name:String}`, {}),
      /missing name/,
    );
    await assert.rejects(ck.query(`SELECT 1 FROM ${t}`, { extra: 1 }), /unused extra/);
    await assert.rejects(ck.insert("bad name; DROP", []), /Invalid table name/);
  });

  test("server errors keep their code and message", async (ck, t) => {
    await assert.rejects(ck.query(`SELEC nonsense`), (e: Error & { code?: string }) => {
      assert.equal(e.code, "62");
      assert.match(e.message, /Syntax error/i);
      return true;
    });
    await assert.rejects(ck.query(`SELECT * FROM ${t}_missing`), (e: Error & { code?: string }) => {
      assert.equal(e.code, "60");
      return true;
    });
  });
}
