/**
 * The health service probes on its timer, never per report: reports answer the last round
 * with its age; one failed round of a dependency that was up does not flap it, two do; one
 * good round brings it back; stop() ends the timer.
 */
import assert from "node:assert/strict";
import { createHealthService, type HealthCheck } from "../../domains/system/health.ts";
import { eventually } from "../_env.ts";

/** A check whose answers the test sets, counting its pings. */
function fakeCheck(name: string): HealthCheck & { pings: number; failing: boolean } {
  const c = {
    name,
    address: `${name}:1`,
    pings: 0,
    failing: false,
    ping() {
      c.pings++;
      return c.failing ? Promise.reject(new Error(`${name} refused`)) : Promise.resolve();
    },
  };
  return c;
}

Deno.test("health: reports come from the timer's rounds, with their age", async () => {
  const db = fakeCheck("db");
  let clock = 1_000;
  const health = createHealthService([db], { now: () => clock });
  assert.deepEqual(health.report(), {
    status: "starting",
    dependencies: [],
    age_ms: -1,
    probes: 0,
  });
  const prober = await health.start({ intervalMs: 60_000 });
  try {
    assert.equal(db.pings, 1, "the first round runs at start");
    clock += 250;
    for (let i = 0; i < 100; i++) health.report();
    const r = health.report();
    assert.equal(db.pings, 1, "reports run no probe");
    assert.equal(r.status, "ok");
    assert.equal(r.probes, 1);
    assert.equal(r.age_ms, 250);
    assert.equal(r.probed_at, new Date(1_000).toISOString());
  } finally {
    await prober.stop();
  }
});

Deno.test("health: the timer probes again until stopped", async () => {
  const db = fakeCheck("db");
  const health = createHealthService([db]);
  const prober = await health.start({ intervalMs: 10 });
  await eventually(() => health.report().probes >= 3, { what: "three rounds" });
  await prober.stop();
  const after = db.pings;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(db.pings, after, "no round after stop()");
});

Deno.test("health: down after two failed rounds, up after one good round", async () => {
  const db = fakeCheck("db");
  const ck = fakeCheck("ck");
  const health = createHealthService([db, ck]);
  const statusOf = (name: string) =>
    health.report().dependencies.find((d) => d.name === name)?.status;
  await health.check();
  ck.failing = true;
  await health.check();
  assert.equal(statusOf("ck"), "up", "one slow or failed round does not flap");
  assert.match(health.report().dependencies[1].error ?? "", /ck refused/, "but is shown");
  assert.equal(health.report().status, "ok");
  await health.check();
  assert.equal(statusOf("ck"), "down");
  assert.equal(health.report().status, "degraded");
  assert.equal(statusOf("db"), "up");
  ck.failing = false;
  await health.check();
  assert.equal(statusOf("ck"), "up");
  assert.equal(health.report().status, "ok");
});

Deno.test("health: never up yet, a failed first round is down at once", async () => {
  const db = fakeCheck("db");
  db.failing = true;
  const health = createHealthService([db]);
  assert.equal((await health.check()).status, "degraded");
});

Deno.test("health: calls during a round share it", async () => {
  const db = fakeCheck("db");
  const health = createHealthService([db]);
  await Promise.all([health.check(), health.check(), health.check()]);
  assert.equal(db.pings, 1);
});
