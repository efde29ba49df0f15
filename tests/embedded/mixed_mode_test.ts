/**
 * Each service switches between real and embedded on its own: a server with real MySQL and
 * Kafka, and every other service embedded, serves the SDK flow and reports exactly that mix.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { sdkFlow } from "./_flow.ts";

const KEEP = /^COZE_LOOP_(MYSQL_|KAFKA_)/;

Deno.test({
  name: "mixed mode: real MySQL and Kafka, everything else embedded",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // Embedded mode drops every service variable but those given here.
    const real = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) => KEEP.test(k)),
    );
    const server = await startServer(real, { mode: "embedded" });
    try {
      assert.match(
        server.logs(),
        /"msg":"embedded services","services":\["redis","clickhouse","s3"\]/,
      );
      const health = await (await fetch(`${server.url}/healthz`)).json();
      assert.deepEqual(
        health.dependencies.map((d: { name: string }) => d.name).sort(),
        ["analytics", "kafka", "mysql", "objects"],
      );
      await sdkFlow(server);
    } finally {
      await server.stop();
    }
  },
});
