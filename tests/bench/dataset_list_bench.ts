/**
 * Item list latency on a 30,000-item dataset, over HTTP against a server subprocess (real
 * services, or `embedded`): the draft's first page, a full walk with the cursor, random pages
 * by number (offsets up to the end), the updated_at order, and the same reads of a committed
 * version. One client, one request at a time. Also reports how long filling the dataset
 * (batches of 100, four at a time) and committing a version took.
 * Usage: dataset_list_bench.ts [mode=real|embedded] [items=30000] [samples=200]
 */
import { startServer, type TestMode } from "../_server.ts";
import { post, registerUser } from "../e2e/_client.ts";
import { D } from "../e2e/_datasets.ts";
import { fmt, quantile } from "./_stats.ts";

const mode = (Deno.args[0] ?? "real") as TestMode;
const total = Number(Deno.args[1] ?? 30_000);
const samples = Number(Deno.args[2] ?? 200);

const server = await startServer({}, { mode });
try {
  const u = await registerUser(server);
  const ws = { workspace_id: u.spaceId };
  const created = await post(server, D, {
    ...ws,
    name: "bench",
    fields: [
      { name: "question", content_type: 1 },
      { name: "answer", content_type: 1 },
      { name: "score", content_type: 1, schemaKey: 2 },
    ],
  }, u);
  if (created.body.code !== 0) throw new Error(JSON.stringify(created.body));
  const id = created.body.dataset_id as string;

  const fillStarted = performance.now();
  let next = 0;
  const batches = Math.ceil(total / 100);
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < batches) {
      const b = next++;
      const n = Math.min(100, total - b * 100);
      const items = Array.from({ length: n }, (_, i) => ({
        data: [
          { key: "question", content: `Question ${b * 100 + i}: ${"why ".repeat(30)}` },
          { key: "answer", content: `Answer ${b * 100 + i}: ${"because ".repeat(30)}` },
          { key: "score", content: String(i % 5) },
        ],
      }));
      const r = await post(server, `${D}/${id}/items/batch_create`, { ...ws, items }, u);
      if (r.body.code !== 0) throw new Error(JSON.stringify(r.body).slice(0, 300));
    }
  }));
  const fillMs = performance.now() - fillStarted;
  const commitStarted = performance.now();
  const v = await post(server, `${D}/${id}/versions`, { ...ws, version: "1.0.0" }, u);
  if (v.body.code !== 0) throw new Error(JSON.stringify(v.body));
  const commitMs = performance.now() - commitStarted;

  const timed = async (path: string, body: unknown) => {
    const t = performance.now();
    const r = await post(server, path, body, u);
    const ms = performance.now() - t;
    if (r.body.code !== 0) throw new Error(JSON.stringify(r.body).slice(0, 300));
    return { ms, body: r.body };
  };
  const rows: string[] = [];
  const row = (what: string, ms: number[]) =>
    rows.push(
      `| ${what} | ${ms.length} | ${quantile(ms, 0.5).toFixed(1)} | ${
        quantile(ms, 0.99).toFixed(1)
      } |`,
    );
  for (
    const [label, path] of [
      ["draft", `${D}/${id}/items/list`],
      ["version 1.0.0", `${D}/${id}/versions/${v.body.id}/items/list`],
    ]
  ) {
    const first: number[] = [];
    for (let i = 0; i < samples; i++) first.push((await timed(path, { ...ws, page_size: 20 })).ms);
    row(`${label}: first page (20 items)`, first);
    const walk: number[] = [];
    let token = "";
    let seen = 0;
    do {
      const r = await timed(path, {
        ...ws,
        page_size: 100,
        ...(token ? { page_token: token } : {}),
      });
      walk.push(r.ms);
      seen += r.body.items.length;
      token = r.body.next_page_token;
    } while (token);
    if (seen !== total) throw new Error(`walked ${seen} items of ${total}`);
    row(`${label}: cursor walk of all items (pages of 100)`, walk);
    const paged: number[] = [];
    for (let i = 0; i < samples; i++) {
      const page = 1 + Math.floor(Math.random() * (total / 20));
      paged.push((await timed(path, { ...ws, page_size: 20, page_number: page })).ms);
    }
    row(`${label}: random page_number (20 items, offsets to ${fmt(total)})`, paged);
    const updated: number[] = [];
    for (let i = 0; i < samples; i++) {
      updated.push(
        (await timed(path, { ...ws, page_size: 20, order_bys: [{ field: "updated_at" }] })).ms,
      );
    }
    row(`${label}: first page by updated_at`, updated);
  }
  console.log(
    `\n${fmt(total)} items (${mode} services): filled in ${(fillMs / 1000).toFixed(1)} s ` +
      `(${fmt(total / (fillMs / 1000))} items/s, batches of 100, 4 at a time); ` +
      `commit of version 1.0.0: ${commitMs.toFixed(1)} ms\n`,
  );
  console.log("| item list | requests | p50 ms | p99 ms |\n|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  await server.stop();
}
