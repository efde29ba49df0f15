/**
 * The experiment read side below HTTP, over the embedded database with seeded rows: SQL
 * aggregates (average, sum, max, min, distribution; target latency and tokens), pass
 * thresholds, a correction changing them, comparison counts and per-item deltas against a
 * baseline whose evaluator runs another version, result filters and paging, and records
 * kept to their workspace.
 */
import assert from "node:assert/strict";
import { createSqliteDatabase } from "../../infra/db/sqlite.ts";
import type { Database } from "../../infra/db/mod.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { AppError } from "../../domains/errors.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import type { DataServices } from "../../domains/data/mod.ts";
import { createEvaluatorRepo } from "../../domains/evaluation/repo.ts";
import { createExperimentReads } from "../../domains/evaluation/experiments/repo.ts";
import { createAggregateService } from "../../domains/evaluation/experiments/aggregates.ts";
import { createResultsService } from "../../domains/evaluation/experiments/results.ts";
import { createEvaluatorRecordService } from "../../domains/evaluation/experiments/records.ts";
import type { ExperimentTables } from "../../domains/evaluation/experiments/_tables.ts";

const SPACE = 7n;
const OTHER_SPACE = 8n;
const USER = 11n;
const STRANGER = 12n;
const A = 1001n; // baseline: judge v1 (E1), checker w1 (E2); thresholds
const B = 1002n; // candidate: judge v2 (E1), checker w1 (E2)
const V1 = 501n, V2 = 502n, W1 = 503n, ORPHAN = 599n;

const authz = {
  requireMember: (u: bigint, s: bigint) =>
    u === USER && (s === SPACE || s === OTHER_SPACE)
      ? Promise.resolve("owner")
      : Promise.reject(new AppError(602000101, "no permission")),
} as unknown as Authz;

async function withDb(fn: (db: Database) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "expt_results_unit_" });
  const db = createSqliteDatabase({ path: `${dir}/loop.db` });
  try {
    await db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
    await seed(db);
    await fn(db);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function seed(db: Database): Promise<void> {
  const repo = createEvaluatorRepo(db);
  const at = new Date();
  const by = { createdBy: USER, updatedBy: USER, createdAt: at, updatedAt: at };
  for (const [id, name] of [[1n, "judge"], [2n, "checker"]] as const) {
    await repo.insert({
      id,
      workspaceId: SPACE,
      type: 2,
      name,
      description: "",
      draftSubmitted: true,
      latestVersion: "1",
      builtin: false,
      benchmark: "",
      vendor: "",
      deletedAt: 0,
      ...by,
    });
  }
  for (const [id, evaluatorId, version] of [[V1, 1n, "1"], [V2, 1n, "2"], [W1, 2n, "1"]] as const) {
    await repo.insertVersion({
      id,
      evaluatorId,
      workspaceId: SPACE,
      type: 2,
      version,
      description: "",
      content: {},
      ...by,
    }, Number(version));
  }
  const q = db.session<ExperimentTables>();
  const expt = (id: bigint, name: string, versions: bigint[], thresholds: unknown[]) => ({
    id: `${id}`,
    space_id: `${SPACE}`,
    name,
    description: "",
    status: 11,
    status_message: "",
    eval_set_id: "300",
    eval_set_version_id: "301",
    target_id: "400",
    target_version_id: "401",
    evaluator_version_ids: JSON.stringify(versions.map(String)),
    target_field_mapping: "{}",
    evaluator_field_mapping: "[]",
    pass_thresholds: JSON.stringify(thresholds),
    item_concur_num: 1,
    item_retry_num: 0,
    expt_type: 1,
    source_type: 1,
    source_id: "",
    run_id: `${id}`,
    created_by: `${USER}`,
    start_at: 0,
    end_at: 0,
    created_at: at,
    updated_at: at,
    deleted_at: 0,
  });
  await q.insertInto("experiments").values([
    expt(A, "a", [V1, W1], [
      { evaluator_version_id: `${V1}`, min_score: 0.5 },
      { evaluator_version_id: `${W1}`, min_score: 0.9 },
      { evaluator_version_id: `${ORPHAN}`, min_score: 0 },
    ]),
    expt(B, "b", [V2, W1], [{ evaluator_version_id: `${V2}`, min_score: 0.5 }]),
  ]).execute();
  // Items 1..4; item 4 failed in B. Latency 100, 200, 300, 400 ms; tokens i+1 in, 2i out.
  const item = (e: bigint, i: number, status: number) => ({
    expt_id: `${e}`,
    item_id: `${i}`,
    space_id: `${SPACE}`,
    item_idx: i,
    turn_id: "0",
    status,
    run_id: `${e}`,
    attempts: 1,
    dispatched_at: 1,
    lease_owner: null,
    lease_until: 0,
    target_output: JSON.stringify({
      status: status === 2 ? "success" : "fail",
      output: { actual_output: { content_type: "Text", text: `out ${i}` } },
      latencyMs: i * 100,
      tokens: { input: i + 1, output: 2 * i },
      traceId: "",
    }),
    error: status === 3 ? JSON.stringify({ code: 1, message: "boom" }) : null,
    started_at: 1,
    ended_at: 2,
    updated_at: at,
  });
  await q.insertInto("expt_items").values([
    ...[1, 2, 3, 4].map((i) => item(A, i, 2)),
    ...[1, 2, 3].map((i) => item(B, i, 2)),
    item(B, 4, 3),
  ]).execute();
  let rid = 9000;
  const rec = (e: bigint, i: number, v: bigint, score: number | null) => ({
    id: `${++rid}`,
    space_id: `${SPACE}`,
    expt_id: `${e}`,
    item_id: `${i}`,
    turn_id: "0",
    evaluator_version_id: `${v}`,
    run_id: `${e}`,
    status: score === null ? 2 : 1,
    score,
    reason: `r${i}`,
    corrected_score: null,
    correction_explain: "",
    corrected_by: "",
    error: score === null ? JSON.stringify({ code: 5, message: "no score" }) : null,
    raw_output: "",
    stdout: "",
    latency_ms: 3,
    input_tokens: 0,
    output_tokens: 0,
    trace_id: "",
    input: "{}",
    created_at: at,
    updated_at: at,
  });
  await q.insertInto("expt_evaluator_records").values([
    // A: judge 0, 0.5, 1, 1 (avg 0.625); checker 1, 1, 0, failed (avg 0.667)
    rec(A, 1, V1, 0),
    rec(A, 2, V1, 0.5),
    rec(A, 3, V1, 1),
    rec(A, 4, V1, 1),
    rec(A, 1, W1, 1),
    rec(A, 2, W1, 1),
    rec(A, 3, W1, 0),
    rec(A, 4, W1, null),
    // B: judge 1 (up), 0.5 (same), 0 (down), none; checker 1, 1, 1 (up), none
    rec(B, 1, V2, 1),
    rec(B, 2, V2, 0.5),
    rec(B, 3, V2, 0),
    rec(B, 1, W1, 1),
    rec(B, 2, W1, 1),
    rec(B, 3, W1, 1),
  ]).execute();
}

const services = (db: Database) => {
  const reads = createExperimentReads({ db, authz });
  const data = {
    items: {
      batchGet: (_u: bigint, t: { itemIds: bigint[] }) =>
        Promise.resolve({
          schema: { id: 1n, fields: [{ key: "q", name: "question", contentType: 1, status: 1 }] },
          items: t.itemIds.map((itemId) => ({
            itemId,
            data: [{ key: "q", content: `q${itemId}` }],
          })),
        }),
    },
  } as unknown as Pick<DataServices, "items">;
  return {
    aggregates: createAggregateService({ db, reads }),
    results: createResultsService({ db, authz, reads, data }),
    records: createEvaluatorRecordService({ db, authz }),
  };
};

Deno.test("aggregates: per evaluator stats and distribution, target metrics, thresholds", async () => {
  await withDb(async (db) => {
    const [a] = await services(db).aggregates.batchGet(USER, SPACE, [A]);
    const judge = a.evaluators.find((e) => e.column.evaluatorVersionId === V1)!;
    assert.equal(judge.column.name, "judge");
    assert.equal(judge.column.evaluatorId, 1n);
    assert.deepEqual(judge.stats, { count: 4, average: 0.625, sum: 2.5, max: 1, min: 0 });
    assert.deepEqual(judge.distribution, [
      { score: "0", count: 1, percentage: 0.25 },
      { score: "0.5", count: 1, percentage: 0.25 },
      { score: "1", count: 2, percentage: 0.5 },
    ]);
    const checker = a.evaluators.find((e) => e.column.evaluatorVersionId === W1)!;
    assert.equal(checker.stats.count, 3, "a failed record has no score to count");
    assert.equal(checker.stats.average, 0.666666667);
    assert.deepEqual(a.target!.latency, { count: 4, average: 250, sum: 1000, max: 400, min: 100 });
    assert.deepEqual(a.target!.inputTokens, { count: 4, average: 3.5, sum: 14, max: 5, min: 2 });
    assert.deepEqual(a.target!.totalTokens, { count: 4, average: 8.5, sum: 34, max: 13, min: 4 });
    assert.equal(judge.threshold?.passed, true);
    assert.equal(checker.threshold?.passed, false, "0.667 < 0.9");
    const orphan = a.thresholds.find((t) => t.evaluatorVersionId === ORPHAN)!;
    assert.deepEqual([orphan.average, orphan.passed], [null, false], "no scores: not passed");
    assert.equal(a.passed, false);
    assert.equal(a.comparison, undefined, "the baseline is compared with nothing");
  });
});

Deno.test("a correction counts in aggregates, results and thresholds", async () => {
  await withDb(async (db) => {
    const s = services(db);
    const [before] = await s.aggregates.batchGet(USER, SPACE, [B]);
    assert.equal(before.passed, true, "judge v2 averages 0.5, the threshold is 0.5");
    const failed = (await s.results.batchGet(USER, { workspaceId: SPACE, experimentIds: [B] }))
      .items[0].payloads[0].records.find((r) => r.evaluatorVersionId === V2)!;
    const fixed = await s.records.correct(USER, SPACE, failed.id, { score: 0, explain: "wrong" });
    assert.deepEqual([fixed.score, fixed.correctedScore, fixed.correctedBy], [1, 0, `${USER}`]);
    const [after] = await s.aggregates.batchGet(USER, SPACE, [B]);
    const judge = after.evaluators.find((e) => e.column.evaluatorVersionId === V2)!;
    assert.deepEqual(judge.stats, { count: 3, average: 0.166666667, sum: 0.5, max: 0.5, min: 0 });
    assert.equal(after.passed, false);
    await assert.rejects(
      s.records.correct(USER, SPACE, failed.id, { score: Number.NaN }),
      /correction.score/,
    );
  });
});

Deno.test("comparison: counts per evaluator aligned by evaluator id, per-item deltas", async () => {
  await withDb(async (db) => {
    const s = services(db);
    const aggr = await s.aggregates.batchGet(USER, SPACE, [A, B]);
    assert.deepEqual(aggr.map((x) => x.experiment.id), [A, B]);
    const cmp = aggr[1].comparison!;
    assert.equal(cmp.baselineId, A);
    assert.deepEqual(
      cmp.evaluators.map((
        c,
      ) => [c.evaluatorId, c.evaluatorVersionId, c.baselineEvaluatorVersionId]),
      [[1n, V2, V1], [2n, W1, W1]],
    );
    assert.deepEqual(
      cmp.evaluators.map((c) => [c.improved, c.regressed, c.unchanged]),
      [[1, 1, 1], [1, 0, 2]],
    );
    // B as the baseline reverses the judge's counts.
    const rev = await s.aggregates.batchGet(USER, SPACE, [A, B], { baselineId: B });
    assert.deepEqual(
      rev.find((x) => x.experiment.id === A)!.comparison!.evaluators.map((c) => c.improved),
      [1, 0],
    );

    const page = await s.results.batchGet(USER, { workspaceId: SPACE, experimentIds: [A, B] });
    assert.equal(page.total, 4);
    assert.deepEqual(page.items.map((i) => i.itemId), [1n, 2n, 3n, 4n]);
    const deltaOf = (i: number) => page.items[i].payloads[1].deltas!.map((d) => d.delta);
    assert.deepEqual(deltaOf(0), [1, 0]);
    assert.deepEqual(deltaOf(2), [-1, 1]);
    assert.deepEqual(deltaOf(3), [null, null], "B has no scores on item 4");
    assert.equal(page.items[0].payloads[0].deltas, undefined, "none on the baseline");
    const b4 = page.items[3].payloads[1];
    assert.deepEqual([b4.state, b4.error?.message], [3, "boom"]);
    assert.equal(page.items[0].payloads[0].target?.output.actual_output.text, "out 1");
    assert.equal(page.items[1].payloads[0].setItem?.item.data?.[0].content, "q2");
  });
});

Deno.test("results: filters on run state and score, paging by the baseline", async () => {
  await withDb(async (db) => {
    const s = services(db);
    const read = (filters: Map<bigint, unknown>, more = {}) =>
      s.results.batchGet(USER, {
        workspaceId: SPACE,
        experimentIds: [A, B],
        filters: filters as never,
        ...more,
      });
    const failedInB = await read(
      new Map([[B, { conditions: [{ fieldType: 48, operator: 1, value: "3" }] }]]),
    );
    assert.deepEqual(failedInB.items.map((i) => i.itemId), [4n]);
    const high = await read(
      new Map([[A, {
        conditions: [{ fieldType: 1, fieldKey: `${V1}`, operator: 4, value: "0.5" }],
      }]]),
    );
    assert.deepEqual(high.items.map((i) => i.itemId), [2n, 3n, 4n]);
    const either = await read(
      new Map([[A, {
        any: true,
        conditions: [
          { fieldType: 1, fieldKey: `${V1}`, operator: 5, value: "0.5" },
          { fieldType: 47, operator: 7, value: "3,4" },
        ],
      }]]),
    );
    assert.deepEqual(either.items.map((i) => i.itemId), [1n, 3n, 4n]);
    const p2 = await read(new Map(), { pageSize: 3, pageNumber: 2 });
    assert.deepEqual([p2.total, p2.items.map((i) => i.itemId)], [4, [4n]]);
    await assert.rejects(
      read(new Map([[A, { conditions: [{ fieldType: 41, operator: 1, value: "x" }] }]])),
      /field_type: 41 is not supported/,
    );
    await assert.rejects(read(new Map(), { pageSize: 0 }), /page_size/);
  });
});

Deno.test("records stay in their workspace; strangers are refused", async () => {
  await withDb(async (db) => {
    const s = services(db);
    const [first] = (await s.results.batchGet(USER, { workspaceId: SPACE, experimentIds: [A] }))
      .items[0].payloads[0].records;
    assert.equal((await s.records.get(USER, SPACE, first.id)).reason, "r1");
    await assert.rejects(s.records.get(USER, OTHER_SPACE, first.id), /not found/);
    await assert.rejects(s.records.get(STRANGER, SPACE, first.id), /no permission/);
    await assert.rejects(
      s.records.correct(USER, OTHER_SPACE, first.id, { score: 1 }),
      /not found/,
    );
    assert.equal((await s.records.get(USER, SPACE, first.id)).correctedScore, null);
    assert.deepEqual(
      (await s.records.batchGet(USER, SPACE, [first.id, 1n, first.id])).map((r) => r.id),
      [first.id, first.id],
    );
    await assert.rejects(s.aggregates.batchGet(USER, OTHER_SPACE, [A]), /not found/);
    await assert.rejects(s.aggregates.batchGet(STRANGER, SPACE, [A]), /no permission/);
  });
});
