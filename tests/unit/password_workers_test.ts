/**
 * The password-hashing worker pool: hashes in workers that agree with the in-process hasher,
 * never more workers than its size, a bounded queue ("busy" past it), a fallback to this
 * thread (with an error in the log) when the workers cannot start, and stop().
 */
import assert from "node:assert/strict";
import { AppError } from "../../domains/errors.ts";
import { createPasswordWorkerPool } from "../../domains/foundation/password_workers.ts";
import { hashPassword, verifyPassword } from "../../domains/foundation/passwords.ts";
import { createLogger } from "../../infra/log.ts";

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ write: (l) => lines.push(l) }), lines };
}

Deno.test("password workers: hash and verify off the event loop, agreeing with this thread", async () => {
  const { logger, lines } = capturingLogger();
  const pool = createPasswordWorkerPool({ size: 2, logger });
  try {
    assert.equal(pool.started, 0, "no worker before the first task");
    const hashes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pool.hash(`password-${i}`)),
    );
    assert.ok(pool.started <= 2, `${pool.started} workers for a pool of 2`);
    for (const [i, h] of hashes.entries()) {
      assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.ok(await verifyPassword(`password-${i}`, h), "this thread verifies a worker's hash");
    }
    const local = await hashPassword("from-this-thread");
    assert.equal(await pool.verify("from-this-thread", local), true);
    assert.equal(await pool.verify("wrong", local), false);
    assert.equal(await pool.verify("x", "not a hash"), false, "a malformed hash matches nothing");
    assert.ok(lines.some((l) => l.includes('"msg":"password hashing workers started"')));
  } finally {
    await pool.stop();
  }
});

Deno.test("password workers: past the queue bound the pool answers busy at once", async () => {
  const pool = createPasswordWorkerPool({ size: 1, maxWaiting: 2 });
  try {
    const accepted = [pool.hash("a-password"), pool.hash("b-password")];
    await assert.rejects(pool.hash("c-password"), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.status, 503);
      return true;
    });
    assert.equal((await Promise.all(accepted)).length, 2);
  } finally {
    await pool.stop();
  }
});

Deno.test("password workers: workers that cannot start fall back to this thread", async () => {
  const { logger, lines } = capturingLogger();
  const pool = createPasswordWorkerPool({
    size: 2,
    logger,
    url: new URL("./no_such_worker.ts", import.meta.url),
  });
  try {
    const h = await pool.hash("password-1");
    assert.ok(await pool.verify("password-1", h));
    assert.ok(lines.some((l) => l.includes("password hashing workers failed")), lines.join());
  } finally {
    await pool.stop();
  }
});

Deno.test("password workers: stop() fails what waits, and later tasks", async () => {
  const pool = createPasswordWorkerPool({ size: 1 });
  const pending = pool.hash("password-1");
  await pool.stop();
  await assert.rejects(pending, /stopping/);
  await assert.rejects(pool.hash("password-2"), /stopped/);
});
