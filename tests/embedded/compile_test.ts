/**
 * `deno task compile` gives one executable that, started in an empty directory, serves an
 * SDK user's whole flow. `deno compile` needs Deno's runtime binary (denort), downloaded from
 * dl.deno.land or named by DENORT_BIN; where neither is available the test is reported as
 * ignored, with that reason in its name.
 */
import assert from "node:assert/strict";
import { freePort, spawnServer } from "../_server.ts";
import { bareEnvironment, sdkFlow } from "./_flow.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function denortAvailable(): boolean {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin) return true;
  const home = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  try {
    return [...Deno.readDirSync(`${home}/dl/release/v${Deno.version.deno}`)]
      .some((e) => e.name.startsWith("denort-"));
  } catch {
    return false;
  }
}

Deno.test({
  name: "compile: the single binary started in an empty directory serves the SDK flow " +
    "(needs denort: DENORT_BIN or dl.deno.land)",
  ignore: !denortAvailable(),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const port = await freePort();
    const dir = await Deno.makeTempDir({ prefix: "coze-loop-binary-" });
    const binary = `${dir}/coze-loop`;
    const env = bareEnvironment({ PORT: String(port) });
    const compiled = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}scripts/compile.ts`],
      env: { ...env, COZE_LOOP_CHDB_LIB: Deno.env.get("COZE_LOOP_CHDB_LIB") ?? "" },
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    assert.equal(compiled.code, 0, "deno task compile");
    await Deno.rename(`${ROOT}dist/coze-loop`, binary);
    const started = performance.now();
    const server = await spawnServer({
      command: binary,
      args: [],
      env,
      port,
      mode: "embedded",
      dataDir: dir,
      timeoutMs: 120_000,
      cwd: dir,
    });
    try {
      console.log(
        `binary: ${(Deno.statSync(binary).size / 2 ** 20).toFixed(0)} MiB, ` +
          `listening after ${(performance.now() - started).toFixed(0)} ms`,
      );
      await sdkFlow(server);
    } finally {
      await server.stop();
    }
  },
});
