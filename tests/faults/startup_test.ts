/**
 * Start-up against a dependency that is down or a configuration that is wrong: the server
 * exits with one sentence naming the variable, or the service and its address; no stack.
 */
import assert from "node:assert/strict";
import { freePort, runServerToExit } from "../_server.ts";

Deno.test("startup: a dependency that is down is named with its address", async () => {
  const port = await freePort();
  const { code, output } = await runServerToExit({
    COZE_LOOP_REDIS_PORT: String(port),
    COZE_LOOP_STARTUP_TIMEOUT_S: "2",
  });
  assert.equal(code, 1);
  assert.match(output, new RegExp(`Cannot start: redis at 127\\.0\\.0\\.1:${port} is unavailable`));
  assert.match(output, /waiting for redis/, "it retried before giving up");
  assert.doesNotMatch(output, /\bat file:\/\/|\bat async\b|^ {4}at /m, "no stack trace");
});

Deno.test("startup: wrong MySQL credentials are reported, not a stack", async () => {
  const { code, output } = await runServerToExit({
    COZE_LOOP_MYSQL_PASSWORD: "wrong-password",
    COZE_LOOP_STARTUP_TIMEOUT_S: "1",
  });
  assert.equal(code, 1);
  assert.match(output, /Cannot start: mysql at 127\.0\.0\.1:\d+ is unavailable \(.*Access denied/);
  assert.doesNotMatch(output, /^ {4}at /m);
});

Deno.test("startup: invalid configuration names each bad variable", async () => {
  const { code, output } = await runServerToExit({
    COZE_LOOP_MYSQL_PORT: "not-a-port",
    COZE_LOOP_KAFKA_BROKERS: "",
    COZE_LOOP_SERVER_ID: "99999",
  });
  assert.equal(code, 1);
  assert.match(output, /Invalid configuration/);
  assert.match(output, /COZE_LOOP_MYSQL_PORT: /);
  assert.match(output, /COZE_LOOP_KAFKA_BROKERS: is required/);
  assert.match(output, /COZE_LOOP_SERVER_ID: /);
  assert.doesNotMatch(output, /^ {4}at /m);
});
