/** Contract suite for `Broadcast`: any implementation must pass it. */
import assert from "node:assert/strict";
import type { Broadcast } from "../../infra/redis/broadcast.ts";
import { eventually, sleep, uniqueSuffix } from "../_env.ts";

/** Registers the broadcast contract tests; `open` gives two processes' broadcasts. */
export function broadcastContract(
  impl: string,
  open: () => Promise<{ a: Broadcast; b: Broadcast; close(): Promise<void> }>,
): void {
  Deno.test({
    name: `broadcast contract (${impl}): a message reaches every subscriber of its channel`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const { a, b, close } = await open();
      const channel = `c${uniqueSuffix()}`;
      try {
        const gotA: string[] = [];
        const gotB: string[] = [];
        const other: string[] = [];
        a.subscribe(channel, (m) => gotA.push(m));
        const stopB = b.subscribe(channel, (m) => gotB.push(m));
        b.subscribe(`${channel}-other`, (m) => other.push(m));
        await sleep(200); // subscriptions are established asynchronously
        await a.publish(channel, "one");
        await eventually(() => gotA.length === 1 && gotB.length === 1, { what: "both receive" });
        stopB();
        await b.publish(channel, "two");
        await eventually(() => gotA.length === 2, { what: "a receives the second" });
        await sleep(100);
        assert.deepEqual(gotA, ["one", "two"]);
        assert.deepEqual(gotB, ["one"], "an unsubscribed handler hears nothing more");
        assert.deepEqual(other, [], "other channels hear nothing");
      } finally {
        await close();
      }
    },
  });
}
