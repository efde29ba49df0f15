/**
 * Ingestion under faults: ClickHouse stopped while spans keep arriving (every acknowledged
 * span is queryable afterwards, exactly once), and the server killed right after
 * acknowledging (the spans still arrive, written by the next process).
 */
import assert from "node:assert/strict";
import { eventually, testConfig } from "../_env.ts";
import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { startServer } from "../_server.ts";
import { startService, stopService } from "../_services.ts";
import { createToken, post, registerUser } from "../e2e/_client.ts";
import { hexId, sdkSpan, searchTrace } from "../e2e/_traces.ts";

Deno.test({
  name: "fault: ClickHouse down during ingestion; every acknowledged span lands exactly once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const traceId = hexId(16);
      const send = async (n: number) => {
        const r = await post(server, "/v1/loop/traces/ingest", {
          spans: Array.from(
            { length: n },
            () => sdkSpan({ workspace_id: a.spaceId, trace_id: traceId }),
          ),
        }, { token });
        assert.deepEqual(r.body, { code: 0, msg: "" }, "ingestion keeps accepting");
        return n;
      };
      let sent = await send(20);
      await stopService("clickhouse");
      try {
        for (let i = 0; i < 5; i++) sent += await send(40);
        // Reads need ClickHouse: they fail clearly meanwhile.
        const read = await post(server, "/v1/loop/traces/search", {
          workspace_id: a.spaceId,
          trace_id: traceId,
          start_time: String(Date.now() - 3_600_000),
          end_time: String(Date.now()),
          limit: 10,
        }, { token });
        assert.equal(read.status, 503);
        assert.match(read.body.msg, /ClickHouse is unavailable/);
        await new Promise((r) => setTimeout(r, 3_000)); // the writer retries meanwhile
      } finally {
        await startService("clickhouse");
      }
      sent += await send(20);
      const spans = await eventually(async () => {
        const s = await searchTrace(server, token, a.spaceId, traceId);
        return s.length >= sent ? s : null;
      }, { what: `${sent} spans after ClickHouse returned`, timeoutMs: 90_000 });
      // At-least-once delivery can write a batch twice (e.g. the writer dies between the
      // insert and the commit): simulate it, and the results still hold each span once.
      const ck = createClickHouse(testConfig().clickhouse);
      try {
        // No background merge may collapse the copies before the reads below see them.
        await ck.command("SYSTEM STOP MERGES observability_spans");
        await ck.command(
          `INSERT INTO observability_spans SELECT * FROM observability_spans
           WHERE space_id = {space:String} AND trace_id = {trace:String}`,
          { space: a.spaceId, trace: traceId },
        );
        const raw = await ck.query<{ n: string }>(
          "SELECT count() AS n FROM observability_spans WHERE space_id = {space:String} AND trace_id = {trace:String}",
          { space: a.spaceId, trace: traceId },
        );
        assert.ok(Number(raw[0].n) >= 2 * sent, "the table holds duplicates now");
        const again = await searchTrace(server, token, a.spaceId, traceId);
        assert.equal(spans.length, sent);
        assert.equal(again.length, sent, "no duplicates appear later");
        assert.equal(new Set(again.map((s) => s.span_id)).size, sent, "each span once");
      } finally {
        await ck.command("SYSTEM START MERGES observability_spans").catch(() => {});
        await ck.close();
      }
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "fault: the server killed right after acknowledging; the spans still arrive",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // A long writer wait makes "acknowledged but not yet written" certain at the kill.
    const first = await startServer({ COZE_LOOP_SPAN_WRITER_MAX_WAIT_MS: "10000" });
    const a = await registerUser(first);
    const token = await createToken(first, a.cookie);
    const traceId = hexId(16);
    const r = await post(first, "/v1/loop/traces/ingest", {
      spans: Array.from(
        { length: 25 },
        () => sdkSpan({ workspace_id: a.spaceId, trace_id: traceId }),
      ),
    }, { token });
    assert.deepEqual(r.body, { code: 0, msg: "" });
    await first.stop("SIGKILL");
    const second = await startServer();
    try {
      const spans = await eventually(async () => {
        const s = await searchTrace(second, token, a.spaceId, traceId);
        return s.length >= 25 ? s : null;
      }, { what: "the acknowledged spans, written by the next process", timeoutMs: 90_000 });
      assert.equal(spans.length, 25);
    } finally {
      await second.stop();
    }
  },
});
