/** The concurrency gate: permits, a bounded queue in order, refusal past it or after a wait. */
import assert from "node:assert/strict";
import { createGate, GateFullError } from "../../infra/gate.ts";

/** A task that runs until the test releases it. */
function held(): { task: () => Promise<void>; release(): void; started: boolean } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const h = {
    started: false,
    release: () => resolve(),
    task: async () => {
      h.started = true;
      await promise;
    },
  };
  return h;
}

Deno.test("gate: at most `permits` run; waiting ones run in order; the rest are refused", async () => {
  const gate = createGate({ permits: 2, maxWaiting: 2 });
  const tasks = Array.from({ length: 5 }, held);
  const runs = tasks.map((t) => gate.run(t.task));
  await Promise.resolve();
  assert.deepEqual(tasks.map((t) => t.started), [true, true, false, false, false]);
  assert.equal(gate.active, 2);
  assert.equal(gate.waiting, 2);
  await assert.rejects(runs[4], GateFullError, "the fifth is refused at once");
  tasks[1].release();
  await runs[1];
  assert.deepEqual(tasks.map((t) => t.started), [true, true, true, false, false]);
  assert.equal(gate.active, 2, "the permit passed straight on");
  for (const t of tasks) t.release();
  await Promise.all(runs.slice(0, 4));
  assert.ok(tasks[3].started);
  assert.equal(gate.active, 0);
  assert.equal(gate.waiting, 0);
});

Deno.test("gate: a task that waits longer than maxWaitMs is refused", async () => {
  const gate = createGate({ permits: 1, maxWaiting: 5, maxWaitMs: 20 });
  const first = held();
  const running = gate.run(first.task);
  const second = held();
  await assert.rejects(gate.run(second.task), /waited 20 ms/);
  assert.equal(second.started, false);
  assert.equal(gate.waiting, 0);
  first.release();
  await running;
  await gate.run(() => Promise.resolve()); // the permit came back
  assert.equal(gate.active, 0);
});

Deno.test("gate: a failing task gives its permit back", async () => {
  const gate = createGate({ permits: 1, maxWaiting: 0 });
  await assert.rejects(gate.run(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await gate.run(() => Promise.resolve(7)), 7);
});
