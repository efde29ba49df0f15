/**
 * Property-based fuzzing of the whole API description: schemathesis (the pinned version in
 * the venv scripts/fuzz_setup.sh makes) reads /openapi.json and sends generated requests,
 * valid and invalid, to every operation of both families, authenticated as a seeded user
 * (session cookie for /api, personal access token for /v1/loop; each family reads only its
 * own credential). It fails on any 5xx and on any answer that does not match its documented
 * schema, and prints schemathesis's report.
 *
 * Left out: logout and reset_password, which would end the very session the run
 * authenticates with (every later /api request would only be a 401).
 */
import assert from "node:assert/strict";
import { fuzzConfig, seed } from "./_seed.ts";
import { setup } from "../e2e/_prompts.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
/** The schemathesis CLI of the fuzz venv. */
const SCHEMATHESIS = `${ROOT}.fuzz/venv/bin/schemathesis`;
/**
 * Generated cases per operation and phase. One worker: schemathesis' worker threads trip
 * CPython 3.11's thread-unsafe AST recursion counter (python/cpython#106905), an intermittent
 * "AST constructor recursion depth mismatch" inside the fuzzer, not a finding about us.
 */
const MAX_EXAMPLES = 20;
const RUN_TIMEOUT_MS = 8 * 60_000;
const EXCLUDED = "/api/foundation/v1/users/(logout|reset_password)$";

const missing = await Deno.stat(SCHEMATHESIS).then(() => undefined).catch(() =>
  `${SCHEMATHESIS} is missing: run scripts/fuzz_setup.sh (deno task test does)`
);

Deno.test({
  name: `OpenAPI fuzzing (schemathesis): no 5xx, answers match the description${
    missing ? ` [cannot run: ${missing}]` : ""
  }`,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // A missing fuzzer is a failure, not a skip: the test exists to run.
    assert.equal(missing, undefined, missing ?? "");
    const { llm, server, models } = await setup();
    const dir = await Deno.makeTempDir({ prefix: "coze-loop-fuzz-" });
    try {
      const world = await seed(server, "1");
      const config = `${dir}/schemathesis.toml`;
      await Deno.writeTextFile(config, fuzzConfig(world));
      const started = performance.now();
      const out = await new Deno.Command(SCHEMATHESIS, {
        args: [
          "--config-file",
          config,
          "run",
          `${server.url}/openapi.json`,
          "--checks",
          "not_a_server_error,response_schema_conformance",
          "--max-examples",
          String(MAX_EXAMPLES),
          "--workers",
          "1",
          // Health checks judge the generator, not the API: under load they fail at random
          // ("data too large", "too slow") with nothing found about us.
          "--suppress-health-check",
          "all",
          "--request-timeout",
          "30",
          "--exclude-path-regex",
          EXCLUDED,
          "--header",
          `Cookie: ${world.user.cookie}`,
          "--header",
          `Authorization: Bearer ${world.token}`,
          "--generation-database",
          "none",
          "--no-color",
        ],
        // Its working files (and reports) stay in the temporary directory.
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
      }).output();
      const seconds = Math.round((performance.now() - started) / 1000);
      const dec = new TextDecoder();
      const report = dec.decode(out.stdout) + dec.decode(out.stderr);
      const summary = report.split("\n").filter((l) => /generated|Seed:|passed in|in \d/.test(l));
      console.log(`schemathesis: ${seconds} s; ${summary.join(" | ")}`);
      assert.ok(out.success, `schemathesis found failures (exit ${out.code}):\n${report}`);
    } finally {
      await server.stop();
      await llm.close();
      await Deno.remove(models);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
