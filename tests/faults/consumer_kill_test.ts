/**
 * Killing a consumer process (SIGKILL) mid-batch loses no message: what it had not
 * committed is redelivered to the next member of the group.
 */
import assert from "node:assert/strict";
import { createKafkaQueue } from "../../infra/mq/kafka.ts";
import { eventually, sleep, testConfig, uniqueSuffix } from "../_env.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function spawnConsumer(topic: string, group: string, file: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "tests/fixtures/consume_to_file.ts", topic, group, file],
    cwd: ROOT,
    stdout: "null",
    stderr: "null",
    stdin: "null",
  }).spawn();
}

const lines = (file: string) => {
  try {
    return Deno.readTextFileSync(file).split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

Deno.test({
  name: "fault: a consumer killed mid-batch loses no message",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const topic = `test.kill.${uniqueSuffix()}`;
    const file = await Deno.makeTempFile();
    const q = createKafkaQueue({ ...testConfig().kafka, internalPrefix: "test.coze_loop." });
    try {
      await q.ensureTopics([{ topic, partitions: 2 }]);
      const total = 600;
      await q.send(
        Array.from({ length: total }, (_, i) => ({ topic, key: `k${i % 7}`, body: `m${i}` })),
      );
      const first = spawnConsumer(topic, "g", file);
      await eventually(() => lines(file).length >= 100, { what: "first consumer progress" });
      first.kill("SIGKILL");
      await first.status;
      const before = lines(file).length;
      assert.ok(before < total, `killed mid-way (${before} of ${total})`);
      await sleep(500);
      const second = spawnConsumer(topic, "g", file);
      try {
        await eventually(() => new Set(lines(file)).size >= total, {
          what: "every message handled",
          timeoutMs: 90_000,
        });
      } finally {
        second.kill("SIGTERM");
        await second.status;
      }
      const seen = new Set(lines(file));
      for (let i = 0; i < total; i++) assert.ok(seen.has(`m${i}`), `m${i} delivered`);
    } finally {
      await q.close();
      await Deno.remove(file).catch(() => {});
    }
  },
});
