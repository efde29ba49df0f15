import assert from "node:assert/strict";
import { defaultGrowthMiB, startGcPacer } from "../../infra/gc_pacer.ts";
import { loadConfig } from "../../infra/config.ts";

const MiB = 1024 * 1024;
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

Deno.test("the pacer asks for a major collection once external memory grew by its step", async () => {
  let external = 10 * MiB;
  const calls: unknown[] = [];
  const pacer = startGcPacer({
    growthMiB: 4,
    intervalMs: 5,
    external: () => external,
    gc: (o) => {
      calls.push(o);
      external = 11 * MiB; // what the collection freed
    },
  });
  try {
    external = 13 * MiB; // +3: below the step
    await tick();
    assert.equal(calls.length, 0);
    external = 15 * MiB; // +5 since the start
    await tick();
    assert.deepEqual(calls, [{ type: "major" }]);
    assert.equal(pacer.collections, 1);
    external = 14 * MiB; // +3 since the collection left 11
    await tick();
    assert.equal(calls.length, 1);
    external = 16 * MiB;
    await tick();
    assert.equal(calls.length, 2);
  } finally {
    await pacer.stop();
  }
  external = 100 * MiB;
  await tick();
  assert.equal(calls.length, 2, "stopped");
});

Deno.test("the pacer follows external memory down and does nothing without gc or a step", async () => {
  let external = 50 * MiB;
  let calls = 0;
  const pacer = startGcPacer({
    growthMiB: 8,
    intervalMs: 5,
    external: () => external,
    gc: () => void calls++,
  });
  external = 10 * MiB; // freed by V8 itself: the base follows
  await tick();
  external = 20 * MiB; // +10 over the new base
  await tick();
  await pacer.stop();
  assert.equal(calls, 1);
  const off = startGcPacer({ growthMiB: 0, gc: () => assert.fail("off") });
  await off.stop();
  const none = startGcPacer({ gc: undefined });
  assert.equal(none.collections, 0);
  await none.stop();
});

Deno.test("with V8's gc exposed, the pacer collects ArrayBuffers that outlived young collections", async () => {
  // Rounds of 32 MiB of buffers held until young collections promote them, then dropped.
  const script = `
    const { startGcPacer } = await import(${
    JSON.stringify(new URL("../../infra/gc_pacer.ts", import.meta.url).href)
  });
    const pacer = startGcPacer({ growthMiB: 16, intervalMs: 10 });
    let peak = 0;
    for (let round = 0; round < 8; round++) {
      let held = Array.from({ length: 128 }, (_, i) => new Uint8Array(256 * 1024).fill(i));
      for (let i = 0; i < 3; i++) gc({ type: "minor" });
      held = undefined;
      peak = Math.max(peak, Deno.memoryUsage().external);
      // Up to 1 s for the round's buffers to be freed (a loaded machine delays the pacer's
      // timer); nothing else frees them that soon, so without the pacer they pile up.
      for (let t = 0; t < 100 && Deno.memoryUsage().external > 40 * 1048576; t++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await pacer.stop();
    console.log(JSON.stringify({ peak: peak / 1048576, last: Deno.memoryUsage().external / 1048576, collections: pacer.collections }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--expose-gc", script],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success);
  const seen = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  // 256 MiB went through; at most the round in hand and what a late collection left. V8
  // may free some rounds itself when the next one allocates; the pacer frees at least one.
  assert.ok(seen.collections >= 1, JSON.stringify(seen));
  assert.ok(seen.peak <= 72, JSON.stringify(seen));
});

Deno.test("the pacer's step: set by COZE_LOOP_GC_PACER_MIB, else by where ClickHouse runs", () => {
  assert.equal(loadConfig({}).gcPacerMiB, undefined);
  assert.equal(loadConfig({ COZE_LOOP_GC_PACER_MIB: "0" }).gcPacerMiB, 0);
  assert.equal(loadConfig({ COZE_LOOP_GC_PACER_MIB: "96" }).gcPacerMiB, 96);
  assert.throws(() => loadConfig({ COZE_LOOP_GC_PACER_MIB: "-1" }));
  // The engine in this process shares the memory budget: a smaller step than with a server.
  assert.equal(defaultGrowthMiB(true), 48);
  assert.equal(defaultGrowthMiB(false), 256);
});
