/**
 * The OTLP decoding pool: workers give the same messages as decoding on this thread, keep a
 * body's decode error (kind and message), never start more workers than the pool's size,
 * fall back to this thread (with an error in the log) when they cannot start, and stop.
 */
import assert from "node:assert/strict";
import {
  createOtlpDecodePool,
  inProcessOtlpDecoder,
} from "../../domains/observability/otlp/decode_pool.ts";
import type { OtlpJob } from "../../domains/observability/otlp/decode_job.ts";
import { OtlpDecodeError } from "../../domains/observability/otlp/types.ts";
import { createLogger } from "../../infra/log.ts";
import { otlpRequest } from "../bench/otlp_workload.ts";

const NOW_US = Date.now() * 1000;
const BASE_US = NOW_US - 3_600_000_000;

async function jobs(n: number): Promise<OtlpJob[]> {
  return await Promise.all(Array.from({ length: n }, async (_, r) => ({
    body: (await otlpRequest(r, BASE_US)).body,
    encoding: "gzip",
    format: "protobuf" as const,
    workspaceId: "7",
    nowUs: NOW_US,
  })));
}

const text = (messages: Uint8Array[]) => messages.map((m) => new TextDecoder().decode(m)).join("");

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ write: (l) => lines.push(l) }), lines };
}

Deno.test("OTLP decoding pool: workers give this thread's messages, byte for byte", async () => {
  const { logger, lines } = capturingLogger();
  const pool = createOtlpDecodePool({ size: 2, logger });
  try {
    const local = await jobs(12);
    // The pool takes the bodies over (transferred): it gets copies.
    const sent = local.map((j) => ({ ...j, body: j.body.slice() }));
    const [fromPool, here] = await Promise.all([
      Promise.all(sent.map((j) => pool.decode(j))),
      Promise.all(local.map((j) => inProcessOtlpDecoder.decode(j))),
    ]);
    for (const [i, r] of fromPool.entries()) {
      assert.equal(r.dropped, 0);
      assert.deepEqual(r.groups.map((g) => [g.space, g.count]), [["7", 100]]);
      assert.equal(text(r.groups[0].messages), text(here[i].groups[0].messages));
      assert.equal(text(r.groups[0].messages).split("\n").length, 101, "100 JSON lines");
    }
    const started = lines.filter((l) => l.includes('"msg":"OTLP decoding workers started"'));
    assert.equal(started.length, 1);
  } finally {
    await pool.stop();
  }
});

Deno.test("OTLP decoding pool: a body's decode error comes back as it is", async () => {
  const pool = createOtlpDecodePool({ size: 1 });
  try {
    const [job] = await jobs(1);
    await assert.rejects(
      pool.decode({ ...job, body: new Uint8Array([0x1f, 0x8b, 1, 2, 3]) }),
      (e: unknown) => e instanceof OtlpDecodeError && e.kind === "malformed",
    );
    await assert.rejects(
      pool.decode({ ...job, body: job.body.slice(), maxBytes: 1024 }),
      (e: unknown) => e instanceof OtlpDecodeError && e.kind === "too_large",
    );
    await assert.rejects(
      pool.decode({ ...job, body: new Uint8Array([0x0a, 0xff]), encoding: undefined }),
      (e: unknown) => e instanceof OtlpDecodeError && e.kind === "malformed",
    );
    await assert.rejects(
      pool.decode({ ...job, body: job.body.slice(), encoding: "br" }),
      (e: unknown) => e instanceof OtlpDecodeError && e.kind === "unsupported_encoding",
    );
    // The worker is still there for the next body.
    const [next] = await jobs(1);
    assert.equal((await pool.decode(next)).groups[0].count, 100);
  } finally {
    await pool.stop();
  }
});

Deno.test("OTLP decoding pool: workers that cannot start fall back to this thread", async () => {
  const { logger, lines } = capturingLogger();
  const pool = createOtlpDecodePool({
    size: 2,
    logger,
    url: new URL("./no_such_worker.ts", import.meta.url),
  });
  try {
    const results = await Promise.all((await jobs(3)).map((j) => pool.decode(j)));
    assert.deepEqual(results.map((r) => r.groups[0].count), [100, 100, 100]);
    assert.ok(lines.some((l) => l.includes("OTLP decoding workers failed")));
  } finally {
    await pool.stop();
  }
});

Deno.test("OTLP decoding pool: size 0 decodes here; a stopped pool refuses", async () => {
  assert.equal(createOtlpDecodePool({ size: 0 }), inProcessOtlpDecoder);
  const pool = createOtlpDecodePool({ size: 1 });
  const [job] = await jobs(1);
  await pool.decode({ ...job, body: job.body.slice() });
  await pool.stop();
  await assert.rejects(pool.decode(job), /stopped/);
});
