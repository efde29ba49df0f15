/**
 * Large imports over HTTP (both modes): a 100,000-row CSV and a 100,000-row JSON Lines file
 * of five text fields imported side by side, progress seen growing, bad rows grouped; then
 * an import whose server is killed mid-way (SIGKILL) and resumed, by a restarted server on
 * the same data (embedded) or by another server process of the deployment (real services),
 * with every row written exactly once.
 */
import assert from "node:assert/strict";
import { startPeer, startServer } from "../_server.ts";
import { post, registerUser, type TestUser } from "./_client.ts";
import { D, upload } from "./_datasets.ts";
import type { ServerProcess } from "../_server.ts";
import { getJob, importFile, sameNames, textFields, waitJob } from "./_io.ts";

const ROWS = 100_000;
const COLS = ["c0", "c1", "c2", "c3", "c4"];
const ENV = { COZE_LOOP_DATASET_MAX_ITEMS: "200000" };
const enc = new TextEncoder();

/** A CSV (or JSONL) of ROWS rows; every 10,000th row is bad (one column too many / not JSON). */
function bigFile(format: "csv" | "jsonl", rows = ROWS): Uint8Array {
  const lines: string[] = format === "csv" ? [COLS.join(",")] : [];
  for (let i = 0; i < rows; i++) {
    const cells = COLS.map((c) => `row ${i} ${c} some text`);
    if (i % 10_000 === 9_999) lines.push(format === "csv" ? `${cells.join(",")},extra` : "{bad");
    else if (format === "csv") lines.push(cells.join(","));
    else lines.push(JSON.stringify(Object.fromEntries(COLS.map((c, j) => [c, cells[j]]))));
  }
  return enc.encode(lines.join("\n") + "\n");
}

async function newDataset(server: ServerProcess, u: TestUser): Promise<string> {
  const r = await post(server, D, {
    workspace_id: u.spaceId,
    name: `big ${crypto.randomUUID().slice(0, 8)}`,
    fields: textFields(5),
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return r.body.dataset_id;
}

async function itemCount(server: ServerProcess, u: TestUser, id: string): Promise<number> {
  const r = await post(server, `${D}/${id}?workspace_id=${u.spaceId}`, undefined, u, "GET");
  return Number(r.body.dataset.item_count);
}

Deno.test({
  name: "e2e large imports: 100,000-row CSV and JSONL with progress and error groups",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer(ENV);
    try {
      const u = await registerUser(server);
      const [a, b] = [await newDataset(server, u), await newDataset(server, u)];
      await upload(server, u, "big/rows.csv", bigFile("csv"));
      await upload(server, u, "big/rows.jsonl", bigFile("jsonl"));
      const t0 = Date.now();
      const jobs = [
        await importFile(server, u, a, { key: "big/rows.csv", mappings: sameNames(COLS) }),
        await importFile(server, u, b, { key: "big/rows.jsonl", mappings: sameNames(COLS) }),
      ];
      const seen: number[] = [];
      for (let i = 0; i < 1200; i++) {
        const job = await getJob(server, u, jobs[i % 2]);
        if (job.status >= 3) continue;
        if (i % 2 === 0) seen.push(Number(job.progress.processed));
        if (seen.some((n) => n > 0)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(seen.some((n) => n > 0 && n < ROWS), `progress seen: ${seen.slice(-5)}`);
      assert.deepEqual(seen, [...seen].sort((x, y) => x - y), "progress only grows");
      for (const [i, id] of jobs.entries()) {
        const done = await waitJob(server, u, id, 180_000);
        assert.equal(done.status, 3, JSON.stringify(done).slice(0, 1000));
        assert.deepEqual(done.progress, {
          total: `${ROWS}`,
          processed: `${ROWS}`,
          added: `${ROWS - 10}`,
        });
        assert.equal(done.errors.length, 1);
        assert.equal(done.errors[0].type, 5);
        assert.equal(done.errors[0].error_count, 10);
        assert.deepEqual(
          done.errors[0].details.map((d: { index: number }) => d.index),
          Array.from({ length: 10 }, (_, k) => k * 10_000 + 9_999),
        );
        assert.equal(await itemCount(server, u, [a, b][i]), ROWS - 10);
      }
      console.log(`two imports of ${ROWS} rows: ${Date.now() - t0} ms (${server.mode})`);
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "e2e large imports: a server killed mid-import, resumed elsewhere, no row twice",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    let server = await startServer(ENV, { keepData: true });
    const dataDir = server.dataDir;
    const peer = server.mode === "real" ? await startPeer(server, ENV) : undefined;
    try {
      const u = await registerUser(server);
      const id = await newDataset(server, u);
      const job = await importFile(server, u, id, {
        key: "big/kill.csv",
        bytes: bigFile("csv"),
        mappings: sameNames(COLS),
      });
      // Whichever process runs it: wait until it is under way, then kill the first server.
      let processed = 0;
      for (let i = 0; i < 600 && !(processed > 0); i++) {
        processed = Number((await getJob(server, u, job)).progress.processed);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(processed > 0 && processed < ROWS, `processed ${processed} when killed`);
      await server.stop("SIGKILL");
      server = peer ?? await startServer(ENV, { mode: "embedded", dataDir });
      const done = await waitJob(server, u, job, 180_000);
      assert.equal(done.status, 3, JSON.stringify(done).slice(0, 1000));
      assert.equal(done.progress.processed, `${ROWS}`);
      assert.equal(done.progress.added, `${ROWS - 10}`);
      assert.equal(done.errors[0].error_count, 10);
      assert.equal(await itemCount(server, u, id), ROWS - 10, "every row once");
    } finally {
      await server.stop();
      if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
