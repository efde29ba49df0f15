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
