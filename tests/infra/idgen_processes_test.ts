/** Two processes generating ids concurrently with different server ids never collide. */
import assert from "node:assert/strict";
import { decomposeId } from "../../infra/idgen/mod.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

async function generate(serverId: number, count: number): Promise<bigint[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "tests/fixtures/gen_ids.ts", String(serverId), String(count)],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n").map(BigInt);
}

Deno.test("idgen: two processes with different server ids, concurrently, never collide", async () => {
  const [a, b] = await Promise.all([generate(101, 20_000), generate(102, 20_000)]);
  assert.equal(a.length, 20_000);
  assert.equal(b.length, 20_000);
  assert.equal(new Set([...a, ...b]).size, 40_000, "all unique");
  for (const [ids, server] of [[a, 101], [b, 102]] as const) {
    for (let i = 1; i < ids.length; i++) {
      assert.ok(ids[i] > ids[i - 1], "increasing in the process");
    }
    assert.ok(ids.every((id) => decomposeId(id).serverId === server));
  }
  // They ran at the same time: their time ranges overlap.
  const span = (ids: bigint[]) => [decomposeId(ids[0]).ms, decomposeId(ids.at(-1)!).ms];
  const [a0, a1] = span(a);
  const [b0, b1] = span(b);
  assert.ok(a0 <= b1 && b0 <= a1, "generation overlapped in time");
});
