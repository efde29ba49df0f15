/**
 * The calls waiting for ids, served in call order: each round takes every call queued so far
 * and asks for all the ids they want at once, so concurrent callers share one round (one
 * Redis round trip, one look at the clock) and ids increase in call order.
 */

/** One call waiting for `n` ids. */
export interface PendingIds {
  n: number;
  resolve: (ids: bigint[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Serves every call queued so far with one `take` of all the ids they want; a failure
 * rejects those calls only. The caller loops while the queue is not empty: checking that in
 * the same step as it stops serving is what keeps a call queued meanwhile from being left.
 */
export async function serveRound(
  queue: PendingIds[],
  take: (wanted: number) => Promise<bigint[]>,
): Promise<void> {
  const batch = queue.splice(0, queue.length);
  try {
    const ids = await take(batch.reduce((sum, p) => sum + p.n, 0));
    let at = 0;
    for (const p of batch) {
      p.resolve(ids.slice(at, at + p.n));
      at += p.n;
    }
  } catch (err) {
    for (const p of batch) p.reject(err);
  }
}
