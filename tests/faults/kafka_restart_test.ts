/**
 * A delayed message survives a restart of the broker: it was acknowledged before the
 * restart and arrives after it, once, at (or after) its due time.
 */
import assert from "node:assert/strict";
import { createKafkaQueue } from "../../infra/mq/kafka.ts";
import { bodyText } from "../../infra/mq/mod.ts";
import { eventually, sleep, testConfig, uniqueSuffix } from "../_env.ts";
import { startService, stopService } from "../_services.ts";

Deno.test({
  name: "fault: delayed messages survive a broker restart",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const topic = `test.brokerrestart.${uniqueSuffix()}`;
    const q = createKafkaQueue({ ...testConfig().kafka, internalPrefix: "test.coze_loop." });
    try {
      await q.ensureTopics([{ topic, partitions: 1 }]);
      const fwd = await q.startDelayForwarder();
      const got: { body: string; at: number }[] = [];
      const w = await q.consume({
        topic,
        group: "g",
        handler: (m) => (got.push({ body: bodyText(m), at: Date.now() }), Promise.resolve()),
      });
      const sent = Date.now();
      await q.send([
        { topic, key: "a", body: "d6s", delayMs: 6_000 },
        { topic, key: "b", body: "d12s", delayMs: 12_000 },
      ]);
      await stopService("kafka");
      await sleep(1_000);
      await startService("kafka");
      await eventually(() => got.length >= 2, { what: "both delayed messages", timeoutMs: 90_000 });
      await sleep(1_000);
      // Each exactly once, never early (both may be overdue after the outage, in any order).
      assert.deepEqual(got.map((g) => g.body).sort(), ["d12s", "d6s"]);
      for (const g of got) {
        assert.ok(g.at - sent >= Number(g.body.slice(1, -1)) * 1000, `${g.body} not early`);
      }
      await w.stop();
      await fwd.stop();
    } finally {
      await q.close();
    }
  },
});
