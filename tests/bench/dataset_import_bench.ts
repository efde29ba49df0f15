/**
 * Dataset import throughput and the server's memory during it, over HTTP against a server
 * subprocess (real services, embedded, or both): a CSV of `rows` rows of 5 text fields
 * (`cell` bytes each) is uploaded through a presigned URL, imported as one job, and polled
 * until it completes. Reports rows per second (the job's own started..ended time, and the
 * wall time from the import request), the file size, and the server process's resident
 * memory: before the import, the highest sampled during it (every 50 ms), and its peak since
 * start (VmHWM). Usage: dataset_import_bench.ts [real|embedded|both] [rows=100000] [cell=24]
 */
import { startServer, type TestMode } from "../_server.ts";
import { post, registerUser } from "../e2e/_client.ts";
import { D, upload } from "../e2e/_datasets.ts";
import { getJob, textFields } from "../e2e/_io.ts";

const which = Deno.args[0] ?? "both";
const rows = Number(Deno.args[1] ?? 100_000);
const cell = Number(Deno.args[2] ?? 24);
const modes: TestMode[] = which === "both" ? ["real", "embedded"] : [which as TestMode];

function csv(): Uint8Array {
  const parts = ["c0,c1,c2,c3,c4\n"];
  for (let i = 0; i < rows; i++) {
    const cells = Array.from({ length: 5 }, (_, j) => {
      const head = `r${i}c${j} `;
      return head + "x".repeat(Math.max(0, cell - head.length));
    });
    parts.push(cells.join(",") + "\n");
  }
  return new TextEncoder().encode(parts.join(""));
}

function memMiB(pid: number): { rss: number; hwm: number } {
  const t = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(t)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

const file = csv();
const lines: string[] = [];
for (const mode of modes) {
  const server = await startServer({ COZE_LOOP_DATASET_MAX_ITEMS: String(rows * 2) }, { mode });
  try {
    const pid = server.child.pid;
    const u = await registerUser(server);
    const ws = { workspace_id: u.spaceId };
    const created = await post(server, D, { ...ws, name: "bench", fields: textFields(5) }, u);
    if (created.body.code !== 0) throw new Error(JSON.stringify(created.body));
    const id = created.body.dataset_id as string;
    await upload(server, u, "bench/import.csv", file);
    const before = memMiB(pid).rss;
    let peak = before;
    const t0 = performance.now();
    const r = await post(server, `${D}/${id}/import`, {
      ...ws,
      file: { provider: 5, path: "bench/import.csv", format: 3 },
      field_mappings: ["c0", "c1", "c2", "c3", "c4"].map((c) => ({ source: c, target: c })),
    }, u);
    if (r.body.code !== 0) throw new Error(JSON.stringify(r.body));
    // deno-lint-ignore no-explicit-any
    let job: any;
    for (let polls = 0;; polls++) {
      peak = Math.max(peak, memMiB(pid).rss);
      if (polls % 10 === 0) {
        job = await getJob(server, u, r.body.job_id);
        if (job.status >= 3) break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const wallS = (performance.now() - t0) / 1000;
    if (job.status !== 3 || job.progress.added !== `${rows}`) {
      throw new Error(`import did not complete: ${JSON.stringify(job).slice(0, 500)}`);
    }
    const jobS = (Number(job.ended_at) - Number(job.started_at)) / 1000;
    const hwm = memMiB(pid).hwm;
    lines.push(
      `| ${mode} | ${rows.toLocaleString("en")} | ${(file.length / 1048576).toFixed(1)} MB | ` +
        `${Math.round(rows / jobS).toLocaleString("en")} | ${jobS.toFixed(1)} s | ` +
        `${wallS.toFixed(1)} s | ${before.toFixed(0)} MiB | ${peak.toFixed(0)} MiB | ` +
        `${hwm.toFixed(0)} MiB |`,
    );
  } finally {
    await server.stop();
  }
}
console.log(`\n\`deno task bench dataset-import ${Deno.args.join(" ")}\`\n`);
console.log(
  "| mode | rows | file | rows/s (job) | job time | wall time | RSS before | RSS peak during | VmHWM |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const l of lines) console.log(l);
