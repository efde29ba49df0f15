/**
 * Start-up of the embedded mode as users start it (`deno task start`: the launcher, then the
 * sandboxed server): time from the command to the server listening, on a fresh data
 * directory (migrations, first account) and again on the same directory, and the server's
 * memory once listening. Usage: startup_bench.ts [runs=5]
 */
import { descendants, freePort, spawnServer } from "../_server.ts";
import { bareEnvironment } from "../embedded/_flow.ts";
import { quantile } from "./_stats.ts";

const runs = Number(Deno.args[0] ?? 5);
const fresh: number[] = [];
const again: number[] = [];
const rss: number[] = [];

async function once(dataDir: string, into: number[]): Promise<void> {
  const port = await freePort();
  const started = performance.now();
  const server = await spawnServer({
    command: Deno.execPath(),
    args: ["task", "start"],
    env: bareEnvironment({
      PORT: String(port),
      COZE_LOOP_DATA_DIR: dataDir,
      COZE_LOOP_CHDB_LIB: Deno.env.get("COZE_LOOP_CHDB_LIB") ?? "",
    }),
    port,
    mode: "embedded",
    dataDir,
    keepData: true,
    signalTree: true,
    timeoutMs: 120_000,
  });
  into.push(performance.now() - started);
  // deno task -> launcher -> server: the server is the last process of the tree.
  const serverPid = descendants(server.child.pid).at(-1);
  const status = Deno.readTextFileSync(`/proc/${serverPid}/status`);
  rss.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024);
  await server.stop();
}

for (let i = 0; i < runs; i++) {
  const dir = await Deno.makeTempDir({ prefix: "coze-loop-startup-" });
  await once(dir, fresh);
  await once(dir, again);
  await Deno.remove(dir, { recursive: true });
}
const ms = (xs: number[]) =>
  `${quantile(xs, 0.5).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${
    Math.max(...xs).toFixed(0)
  })`;
console.log(`| run | \`deno task start\` to listening (median of ${runs}) |\n|---|---|`);
console.log(`| fresh data directory (migrations, first account) | ${ms(fresh)} |`);
console.log(`| restart on the same directory | ${ms(again)} |`);
console.log(`server RSS once listening: ${quantile(rss, 0.5).toFixed(0)} MiB (median)`);
