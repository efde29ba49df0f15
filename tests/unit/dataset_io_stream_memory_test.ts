/**
 * Import files are read as streams: reading a 300 MB CSV through the import reader, what the
 * process still holds after a collection stays far below the file's size and does not grow as
 * the file goes on (holding the file would keep 300 MB or more). Run in a subprocess whose
 * collector the probe can trigger.
 */
import assert from "node:assert/strict";

Deno.test("import reader: a 300 MB CSV is streamed, never held whole", async () => {
  const probe = new URL("../fixtures/import_reader_probe.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--v8-flags=--expose-gc", probe, "300"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = text.trim().split("\n").map((l) => JSON.parse(l));
  const done = lines.pop();
  assert.ok(done.bytes >= 300 * 1024 * 1024, `read ${done.bytes} bytes`);
  const retained = lines.map((l) => l.retainedMb as number);
  assert.ok(retained.length >= 4, text);
  assert.ok(Math.max(...retained) < 150, `held ${retained.map(Math.round)} MB along the file`);
  // Not growing with the file: the last half holds no more than the first half's most + 32 MB.
  const half = Math.floor(retained.length / 2);
  const early = Math.max(...retained.slice(0, half));
  const late = Math.max(...retained.slice(half));
  assert.ok(late < early + 32, `held ${retained.map(Math.round)} MB along the file`);
});
