/**
 * Start-up against a dependency that is down or a configuration that is wrong: the server
 * exits with one sentence naming the variable, or the service and its address; no stack.
 */
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { sql } from "kysely";
import { createS3Storage } from "../../infra/storage/s3.ts";
import { createMysqlDatabase } from "../../infra/db/mysql.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { KAFKA_TOPICS } from "../../infra/mq/topics.ts";
import { testConfig } from "../_env.ts";
import { freePort, runServerToExit, startServer } from "../_server.ts";

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
    COZE_LOOP_KAFKA_BROKERS: "broker-without-port",
    COZE_LOOP_SERVER_ID: "99999",
    COZE_LOOP_OSS_BUCKET: "",
  });
  assert.equal(code, 1);
  assert.match(output, /Invalid configuration/);
  assert.match(output, /COZE_LOOP_MYSQL_PORT: /);
  assert.match(output, /COZE_LOOP_KAFKA_BROKERS: expected a comma-separated list of host:port/);
  assert.match(output, /COZE_LOOP_SERVER_ID: /);
  // A real service's address makes the rest of its settings required.
  assert.match(output, /COZE_LOOP_OSS_BUCKET: is required with COZE_LOOP_OSS_DOMAIN/);
  assert.doesNotMatch(output, /^ {4}at /m);
});

Deno.test({
  name: "startup: a missing bucket is created; topics and migrations are in place",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const bucket = `fresh-${crypto.randomUUID().slice(0, 8)}`;
    const server = await startServer({ COZE_LOOP_OSS_BUCKET: bucket });
    const storage = createS3Storage({ ...testConfig().s3, bucket });
    const db = createMysqlDatabase(testConfig().mysql);
    const admin = new Kafka({ brokers: testConfig().kafka.brokers, logLevel: logLevel.NOTHING })
      .admin();
    try {
      const r = await fetch(`${server.url}/healthz`);
      assert.equal(r.status, 200, await r.text());
      await storage.upload("probe.txt", "ok");
      assert.equal(new TextDecoder().decode(await storage.read("probe.txt")), "ok");
      await admin.connect();
      const topics = new Set(await admin.listTopics());
      for (const t of KAFKA_TOPICS) assert.ok(topics.has(t.topic), `topic ${t.topic} exists`);
      const applied = await sql<{ name: string }>`select name from schema_migration`.execute(
        db.session(),
      );
      for (const name of Object.keys(DB_MIGRATIONS)) {
        assert.ok(applied.rows.some((row) => row.name === name), `migration ${name} applied`);
      }
      await storage.remove("probe.txt");
    } finally {
      await admin.disconnect();
      await db.close();
      await storage.close();
      assert.equal(await server.stop(), 0);
    }
  },
});
