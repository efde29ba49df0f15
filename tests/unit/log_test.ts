import assert from "node:assert/strict";
import { createLogger } from "../../infra/log.ts";

Deno.test("log: JSON lines with bound fields; secrets redacted at any depth; bigints as strings", () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l) }).child({ request_id: "r1" });
  log.info("hello", {
    user_id: 12345678901234567890n,
    password: "hunter2",
    nested: { api_key: "sk-1", authorization: "Bearer x", ok: 1 },
    err: new Error("boom"),
  });
  log.debug("dropped below the level");
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.level, "info");
  assert.equal(rec.msg, "hello");
  assert.equal(rec.request_id, "r1");
  assert.equal(rec.user_id, "12345678901234567890");
  assert.equal(rec.password, "[redacted]");
  assert.deepEqual(rec.nested, { api_key: "[redacted]", authorization: "[redacted]", ok: 1 });
  assert.deepEqual(rec.err, { name: "Error", message: "boom" });
  assert.ok(!lines[0].includes("hunter2") && !lines[0].includes("sk-1"));
});

Deno.test("log: access lines are valid JSON with every field, path escaped", () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), bindings: { service: "loop" } });
  log.access({
    request_id: "r-1",
    method: "POST",
    path: '/v1/"odd"\\path',
    status: 200,
    latency_ms: 1.25,
    user_id: 7713786502055985153n,
  });
  log.access({ request_id: "r-2", method: "GET", path: "/ping", status: 404, latency_ms: 0 });
  createLogger({ level: "warn", write: (l) => lines.push(l) }).access({
    request_id: "r-3",
    method: "GET",
    path: "/",
    status: 200,
    latency_ms: 0,
  });
  assert.equal(lines.length, 2, "below the level: dropped");
  const a = JSON.parse(lines[0]);
  assert.equal(a.level, "info");
  assert.equal(a.msg, "request");
  assert.equal(a.service, "loop");
  assert.equal(a.path, '/v1/"odd"\\path');
  assert.equal(a.user_id, "7713786502055985153");
  assert.equal(a.latency_ms, 1.25);
  assert.ok(!Number.isNaN(Date.parse(a.time)));
  assert.equal(JSON.parse(lines[1]).user_id, undefined);
});
