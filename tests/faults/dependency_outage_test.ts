/**
 * Each dependency stopped while the server runs: /healthz turns 503 naming it, calls that
 * need it fail with ServiceUnavailableError naming it, and everything recovers by itself
 * when the service returns, without restarting our process (same server, same clients).
 */
import assert from "node:assert/strict";
import { createInfra } from "../../infra/build.ts";
import { ServiceUnavailableError } from "../../infra/errors.ts";
import { silentLogger } from "../../infra/log.ts";
import { eventually, testConfig, uniqueSuffix } from "../_env.ts";
import { startServer } from "../_server.ts";
import { type ServiceName, startService, stopService } from "../_services.ts";

interface Health {
  status: string;
  dependencies: { name: string; status: string; address: string; error?: string }[];
}

Deno.test({
  name: "fault: every dependency stopped and restarted while the server runs",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // Probe rounds every second: an outage shows after two failed rounds.
    const server = await startServer({ COZE_LOOP_HEALTH_PROBE_INTERVAL_S: "1" });
    const infra = await createInfra(testConfig(), silentLogger);
    const topic = `test.outage.${uniqueSuffix()}`;
    await infra.mq.ensureTopics([{ topic, partitions: 1 }]);
    const health = async () => {
      const r = await fetch(`${server.url}/healthz`);
      return { status: r.status, body: (await r.json()) as Health };
    };
    // A call that needs each service, through the same client instances all along.
    const calls: Record<ServiceName, () => Promise<unknown>> = {
      mysql: () => infra.db.ping(),
      redis: () => infra.cache.get("outage-probe"),
      clickhouse: () => infra.ck.query("SELECT 1 AS one"),
      s3: () => infra.storage.stat("outage-probe"),
      kafka: () => infra.mq.send({ topic, body: "probe" }),
    };
    const names: Record<ServiceName, string> = {
      mysql: "MySQL",
      redis: "Redis",
      clickhouse: "ClickHouse",
      s3: "S3",
      kafka: "Kafka",
    };
    try {
      assert.equal((await health()).status, 200, server.logs());
      for (const svc of Object.keys(calls) as ServiceName[]) {
        await t.step(`${svc} down, then back`, async () => {
          await stopService(svc);
          try {
            const down = await eventually(async () => {
              const h = await health();
              return h.status === 503 ? h : null;
            }, { what: `/healthz 503 for ${svc}`, timeoutMs: 20_000 });
            assert.ok(down);
            const dep = down.body.dependencies.find((d) => d.name === svc);
            assert.equal(dep?.status, "down");
            assert.ok(dep?.error, "the reason is reported");
            assert.deepEqual(
              down.body.dependencies.filter((d) => d.status === "down").map((d) => d.name),
              [svc],
              "only the stopped one is down",
            );
            await assert.rejects(calls[svc](), (e: unknown) => {
              assert.ok(e instanceof ServiceUnavailableError, `got ${e}`);
              assert.equal(e.service, names[svc]);
              assert.match(e.message, new RegExp(`${names[svc]} at \\S+ is unavailable`));
              return true;
            });
          } finally {
            await startService(svc);
          }
          await eventually(async () => (await health()).status === 200, {
            what: `/healthz 200 after ${svc} returned`,
            timeoutMs: 60_000,
          });
          await eventually(() => calls[svc]().then(() => true), {
            what: `${svc} call succeeds again`,
            timeoutMs: 30_000,
          });
        });
      }
    } finally {
      await infra.close();
      const code = await server.stop();
      assert.equal(code, 0, "clean shutdown after the outages");
    }
  },
});
