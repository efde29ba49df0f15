/** Configuration: every service is real when its address is set, embedded when not. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infra/config.ts";

Deno.test("config: nothing set means every service embedded, data in ./data, port 8888", () => {
  const c = loadConfig({});
  assert.equal(c.port, 8888);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.publicUrl, "http://127.0.0.1:8888");
  for (const s of [c.mysql, c.redis, c.clickhouse, c.kafka, c.s3]) assert.equal(s, undefined);
  assert.equal(c.firstAccount.email, "admin@cozeloop.local");
});

Deno.test("config: each service switches to the real one on its own", () => {
  const c = loadConfig({
    COZE_LOOP_REDIS_DOMAIN: "cache.internal",
    COZE_LOOP_KAFKA_BROKERS: "k1:9092,k2:9092",
    HOST: "0.0.0.0",
    PORT: "9000",
  });
  assert.deepEqual(c.redis, { host: "cache.internal", port: 6379, password: "", db: 0 });
  assert.deepEqual(c.kafka?.brokers, ["k1:9092", "k2:9092"]);
  assert.equal(c.mysql, undefined);
  assert.equal(c.s3, undefined);
  assert.equal(c.publicUrl, "http://127.0.0.1:9000", "the wildcard address is this machine");
});

Deno.test("config: a real service's address makes its other settings required", () => {
  assert.throws(
    () => loadConfig({ COZE_LOOP_MYSQL_DOMAIN: "db", COZE_LOOP_OSS_DOMAIN: "s3" }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      for (
        const v of [
          "COZE_LOOP_MYSQL_USER",
          "COZE_LOOP_MYSQL_DATABASE",
          "COZE_LOOP_OSS_USER",
          "COZE_LOOP_OSS_PASSWORD",
          "COZE_LOOP_OSS_BUCKET",
        ]
      ) assert.match(e.message, new RegExp(`${v}: is required with`));
      return true;
    },
  );
});
