/** Configuration of the overload guards: defaults, and malformed values named at start-up. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infra/config.ts";

Deno.test("config: overload guards default to a 5 s probe, 20 MiB decoded, 20 sign-ups/min", () => {
  const c = loadConfig({});
  assert.equal(c.healthProbeIntervalMs, 5_000);
  assert.equal(c.maxDecodedBytes, 20 * 1024 * 1024);
  assert.equal(c.passwordWorkers, undefined, "min(2, cores - 1), worked out by the pool");
  assert.equal(c.registerPerMinute, 20);
  const set = loadConfig({
    COZE_LOOP_HEALTH_PROBE_INTERVAL_S: "0.5",
    COZE_LOOP_MAX_DECODED_BODY_MB: "8",
    COZE_LOOP_PASSWORD_WORKERS: "0",
    COZE_LOOP_REGISTER_PER_MINUTE: "5",
  });
  assert.equal(set.healthProbeIntervalMs, 500);
  assert.equal(set.maxDecodedBytes, 8 * 1024 * 1024);
  assert.equal(set.passwordWorkers, 0, "0: hash on the event loop");
  assert.equal(set.registerPerMinute, 5);
});

Deno.test("config: malformed overload guards fail start-up naming the variable", () => {
  for (
    const [name, value] of [
      ["COZE_LOOP_HEALTH_PROBE_INTERVAL_S", "0"],
      ["COZE_LOOP_MAX_DECODED_BODY_MB", "lots"],
      ["COZE_LOOP_PASSWORD_WORKERS", "-1"],
      ["COZE_LOOP_REGISTER_PER_MINUTE", "0"],
    ]
  ) {
    assert.throws(() => loadConfig({ [name]: value }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`${name}:`));
      return true;
    });
  }
});
