/**
 * One ingestion run, shared by the ingestion benchmarks: post batches of SDK spans over HTTP
 * from concurrent senders until every span is queryable, and read each span's lag from
 * acknowledgement to queryable.
 */
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import { BATCH, batch } from "./_spans.ts";

/** What one run measured. */
export interface IngestRun {
  /** The request bodies sent (each BATCH spans). */
  bodies: string[];
  /** Spans per second until every request was acknowledged, and until all were queryable. */
  ackedPerSecond: number;
  queryablePerSecond: number;
  lag: { p50: number; p99: number; max: number };
}

/** Sends `total` spans into `space` on the server at `url` and waits until all are counted. */
export async function runIngestion(o: {
  url: string;
  token: string;
  space: string;
  ck: AnalyticsDb;
  total: number;
  concurrency: number;
  /** Batches sent (and awaited) first, through the whole pipeline. */
  warmBatches: number;
}): Promise<IngestRun> {
  const nowUs = Date.now() * 1000;
  const bodies = Array.from(
    { length: Math.ceil(o.total / BATCH) },
    (_, i) => JSON.stringify({ spans: batch(o.space, nowUs - 60_000_000 + i * BATCH) }),
  );
  const post = async (body: string) => {
    const r = await fetch(`${o.url}/v1/loop/traces/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${o.token}` },
      body,
    });
    const j = await r.json();
    if (j.code !== 0 || r.headers.get("x-spans-accepted") !== String(BATCH)) {
      throw new Error(`ingest failed: ${JSON.stringify(j)}`);
    }
  };
  const count = async () =>
    Number(
      (await o.ck.query<{ n: string }>(
        "SELECT count() AS n FROM observability_spans WHERE space_id = {space:String}",
        { space: o.space },
      ))[0].n,
    );
  const waitFor = async (n: number) => {
    while ((await count()) < n) await new Promise((r) => setTimeout(r, 100));
  };

  for (let i = 0; i < o.warmBatches; i++) {
    await post(JSON.stringify({ spans: batch(o.space, nowUs - 120_000_000) }));
  }
  await waitFor(o.warmBatches * BATCH);

  const base = await count();
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (next < bodies.length) await post(bodies[next++]);
  }));
  const acked = performance.now();
  await waitFor(base + o.total);
  const done = performance.now();
  const lag = (await o.ck.query<{ p50: number; p99: number; max: number }>(
    `SELECT quantile(0.5)(write_time - ingest_time) / 1000 AS p50,
            quantile(0.99)(write_time - ingest_time) / 1000 AS p99,
            max(write_time - ingest_time) / 1000 AS max
     FROM observability_spans WHERE space_id = {space:String} AND start_time >= {from:Int64}`,
    { space: o.space, from: nowUs - 60_000_000 },
  ))[0];
  return {
    bodies,
    ackedPerSecond: o.total / ((acked - started) / 1000),
    queryablePerSecond: o.total / ((done - started) / 1000),
    lag,
  };
}

/** The table rows of a run, as the benchmarks print them. */
export function ingestRows(run: IngestRun): string[] {
  const { lag } = run;
  return [
    `| acknowledged | ${Math.round(run.ackedPerSecond)} spans/s |`,
    `| end to end (HTTP -> queryable) | ${Math.round(run.queryablePerSecond)} spans/s |`,
    `| lag acknowledgement -> queryable | p50 ${Math.round(lag.p50)} ms, p99 ${
      Math.round(lag.p99)
    } ms, max ${Math.round(lag.max)} ms |`,
  ];
}
