/**
 * Experiment result exports over HTTP (both modes): a CSV written to object storage by the
 * export worker, its record read until it succeeds, downloaded through the presigned URL and
 * parsed (set columns, scores with corrections, reasons, run state); chosen columns; the
 * OpenAPI export and record; isolation and bad input.
 */
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { startServer } from "../_server.ts";
import type { ServerProcess } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "./_client.ts";
import { setupRuns, X } from "./_expt_results.ts";

async function waitExport(
  server: ServerProcess,
  u: TestUser,
  exptId: string,
  exportId: string,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const r = await post(server, `${X}/${exptId}/export_records/${exportId}`, {
      workspace_id: u.spaceId,
    }, u);
    assert.equal(r.body.code, 0, JSON.stringify(r.body));
    const rec = r.body.expt_result_export_records;
    if (rec.csv_export_status !== "Running") return rec;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`export ${exportId} did not end`);
}

async function download(url: string): Promise<string[][]> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return parse(await res.text(), { bom: true, relax_column_count: false });
}

Deno.test({
  name: "e2e experiment export: CSV job, record, download, columns, OpenAPI, isolation",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const u = await registerUser(server);
      const other = await registerUser(server);
      const ws = { workspace_id: u.spaceId };
      const runs = await setupRuns(server, u, ["aa", "bbb", 'say "hi",\nthen go']);

      await t.step("export, wait, download and parse; a correction is in the file", async () => {
        const page = await post(server, `${X}/results/batch_get?workspace_id=${u.spaceId}`, {
          experiment_ids: [runs.run1],
        }, u);
        // deno-lint-ignore no-explicit-any
        const bbb = page.body.item_results.find((i: any) =>
          i.turn_results[0].experiment_results[0].payload.eval_set.turn.field_data_list[0]
            .content.text === "bbb"
        );
        const rec = bbb.turn_results[0].experiment_results[0].payload.evaluator_output
          .evaluator_records[runs.parityV1];
        const fix = await post(
          server,
          `/api/evaluation/v1/evaluator_records/${rec.id}`,
          {
            ...ws,
            correction: { score: 0.75 },
          },
          u,
          "PATCH",
        );
        assert.equal(fix.body.code, 0, JSON.stringify(fix.body));

        const r = await post(server, `${X}/${runs.run1}/results/export`, {
          ...ws,
          export_type: "CSV",
        }, u);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const done = await waitExport(server, u, runs.run1, r.body.export_id);
        assert.equal(done.csv_export_status, "Success", JSON.stringify(done));
        assert.ok(done.url && done.end_time);
        const rows = await download(done.url);
        assert.deepEqual(rows[0], [
          "item_id",
          "q",
          "parity 1.0.0 score",
          "parity 1.0.0 reason",
          "parity 1.0.0 status",
          "half 1.0.0 score",
          "half 1.0.0 reason",
          "half 1.0.0 status",
          "item_run_state",
          "error",
        ]);
        assert.equal(rows.length, 4);
        const byQ = new Map(rows.slice(1).map((row) => [row[1], row]));
        assert.deepEqual(byQ.get("bbb")!.slice(2, 9), [
          "0.75",
          "length of bbb",
          "success",
          "0.5",
          "half",
          "success",
          "success",
        ]);
        assert.equal(byQ.get("aa")![2], "1");
        assert.ok(byQ.has('say "hi",\nthen go'), "quotes, commas and line breaks survive");

        const list = await post(server, `${X}/${runs.run1}/export_records/list`, ws, u);
        assert.equal(list.body.code, 0, JSON.stringify(list.body));
        assert.equal(list.body.total, "1");
        assert.equal(list.body.expt_result_export_records[0].export_id, r.body.export_id);
      });

      await t.step("chosen columns, through the OpenAPI with a token", async () => {
        const token = await createToken(server, u.cookie);
        const r = await post(
          server,
          `/v1/loop/evaluation/experiments/${runs.run2}/results/export`,
          {
            ...ws,
            export_columns: { evaluator_version_ids: [runs.half], eval_set_fields: [] },
          },
          { token },
        );
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        const id = r.body.data.export_id;
        let rec;
        const end = Date.now() + 60_000;
        while (Date.now() < end) {
          const g = await post(
            server,
            `/v1/loop/evaluation/experiments/${runs.run2}/export_records/${id}?workspace_id=${u.spaceId}`,
            undefined,
            { token },
            "GET",
          );
          assert.equal(g.body.code, 0, JSON.stringify(g.body));
          rec = g.body.data.expt_result_export_record;
          if (rec.csv_export_status !== "Running") break;
          await new Promise((res) => setTimeout(res, 100));
        }
        assert.equal(rec.csv_export_status, "Success", JSON.stringify(rec));
        const rows = await download(rec.url);
        assert.deepEqual(rows[0], [
          "item_id",
          "half 1.0.0 score",
          "half 1.0.0 reason",
          "half 1.0.0 status",
          "item_run_state",
          "error",
        ]);
        assert.equal(rows.length, 4);
      });

      await t.step("another user: an error and no export", async () => {
        const token = await createToken(server, other.cookie);
        const calls = [
          post(server, `${X}/${runs.run1}/results/export`, ws, other),
          post(server, `${X}/${runs.run1}/export_records/list`, ws, other),
          post(server, `/v1/loop/evaluation/experiments/${runs.run1}/results/export`, ws, {
            token,
          }),
        ];
        for (const r of await Promise.all(calls)) {
          assert.equal(r.body.code, 602000101, JSON.stringify(r.body));
        }
        const mine = await post(server, `${X}/${runs.run1}/export_records/list`, ws, u);
        assert.equal(mine.body.total, "1", "no export was made for them");
        const theirs = await post(server, `${X}/${runs.run1}/export_records/list`, {
          workspace_id: other.spaceId,
        }, other);
        assert.equal(theirs.body.code, 602000205, JSON.stringify(theirs.body));
      });

      await t.step("bad input: a clear error and no export", async () => {
        const bad: [string, unknown, RegExp][] = [
          [`${X}/${runs.run1}/results/export`, {}, /workspace_id/],
          [`${X}/${runs.run1}/results/export`, { ...ws, export_type: "XLSX" }, /export_type/],
          [`${X}/${runs.run1}/results/export`, {
            ...ws,
            export_columns: { evaluator_version_ids: ["x"] },
          }, /evaluator_version_ids/],
          [`${X}/123/results/export`, ws, /not found/],
          [`${X}/x/results/export`, ws, /expt_id/],
          [`${X}/${runs.run1}/export_records/list`, { ...ws, page_size: 0 }, /page_size/],
          [`${X}/${runs.run1}/export_records/123`, ws, /not found/],
          [`${X}/${runs.run2}/export_records/x`, ws, /export_id/],
        ];
        for (const [path, body, re] of bad) {
          const r = await post(server, path, body, u);
          assert.notEqual(r.body.code, 0, `${path}: ${JSON.stringify(r.body)}`);
          assert.match(r.body.msg, re, `${path}: ${r.body.msg}`);
        }
        const mine = await post(server, `${X}/${runs.run1}/export_records/list`, ws, u);
        assert.equal(mine.body.total, "1");
      });
    } finally {
      await server.stop();
    }
  },
});
