/** Contract suite for `ObjectStorage`: any implementation must pass it. */
import assert from "node:assert/strict";
import type { ObjectStorage } from "../../infra/storage/mod.ts";
import { NotFoundError } from "../../infra/errors.ts";
import { sleep, uniqueSuffix } from "../_env.ts";

/** Registers the storage contract tests for one implementation. */
export function storageContract(impl: string, open: () => Promise<ObjectStorage>): void {
  const test = (name: string, fn: (s: ObjectStorage, prefix: string) => Promise<void>) =>
    Deno.test({
      name: `storage contract (${impl}): ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const s = await open();
        try {
          await s.ensureBucket();
          await fn(s, `contract/${uniqueSuffix()}/`);
        } finally {
          await s.close();
        }
      },
    });

  test("ensureBucket is idempotent and ping answers", async (s) => {
    await s.ensureBucket();
    await s.ping();
  });

  test("upload, stat, read, download, remove", async (s, p) => {
    const key = `${p}hello.txt`;
    const info = await s.upload(key, "héllo wörld", { contentType: "text/plain" });
    assert.equal(info.size, new TextEncoder().encode("héllo wörld").length);
    const st = await s.stat(key);
    assert.equal(st?.size, info.size);
    assert.equal(st?.contentType, "text/plain");
    assert.ok(st?.etag);
    assert.equal(new TextDecoder().decode(await s.read(key)), "héllo wörld");
    const { body, info: dl } = await s.download(key);
    assert.equal(await new Response(body).text(), "héllo wörld");
    assert.equal(dl.size, info.size);
    await s.remove(key);
    assert.equal(await s.stat(key), null);
    await s.remove(key); // absent is fine
    await assert.rejects(s.read(key), NotFoundError);
  });

  test("an upload replaces the object, its size and content type", async (s, p) => {
    const key = `${p}replaced.json`;
    const first = await s.upload(key, new Uint8Array([1, 2, 3]), { contentType: "image/png" });
    const second = await s.upload(key, '{"v":2}', { contentType: "application/json" });
    assert.notEqual(first.etag, undefined);
    const st = await s.stat(key);
    assert.equal(st?.size, 7);
    assert.equal(st?.contentType, "application/json");
    assert.notEqual(st?.etag, first.etag);
    if (second.etag) assert.equal(st?.etag, second.etag);
    assert.equal(new TextDecoder().decode(await s.read(key)), '{"v":2}');
    await s.remove(key);
    await assert.rejects(s.download(key), NotFoundError);
  });

  test("streamed upload of a large body goes through in parts, byte-exact", async (s, p) => {
    const key = `${p}big.bin`;
    const chunk = 1024 * 1024;
    const total = 20;
    let sent = 0;
    const digestIn = new Uint8Array(total * chunk);
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent === total) return ctrl.close();
        const c = new Uint8Array(chunk);
        for (let i = 0; i < chunk; i += 4096) c[i] = (sent * 31 + i) & 0xff;
        digestIn.set(c, sent * chunk);
        sent++;
        ctrl.enqueue(c);
      },
    });
    const info = await s.upload(key, stream, { contentType: "application/octet-stream" });
    assert.equal(info.size, total * chunk);
    const back = await s.read(key);
    assert.equal(back.length, total * chunk);
    const [a, b] = await Promise.all([
      crypto.subtle.digest("SHA-256", digestIn),
      crypto.subtle.digest("SHA-256", back),
    ]);
    assert.deepEqual(new Uint8Array(a), new Uint8Array(b));
    await s.remove(key);
  });

  test("presigned upload and download URLs work with plain fetch", async (s, p) => {
    const key = `${p}signed/ünïcode name.json`;
    const put = await s.signUpload(key, { ttlSeconds: 60, contentType: "application/json" });
    const r1 = await fetch(put, {
      method: "PUT",
      body: '{"a":1}',
      headers: { "content-type": "application/json" },
    });
    assert.equal(r1.status, 200, await r1.text());
    const get = await s.signDownload(key, { ttlSeconds: 60, fileName: "a.json" });
    const r2 = await fetch(get);
    assert.equal(r2.status, 200);
    assert.equal(await r2.text(), '{"a":1}');
    assert.match(r2.headers.get("content-disposition") ?? "", /a\.json/);
    await s.remove(key);
  });

  test("presigned URLs are refused when tampered with or expired", async (s, p) => {
    const key = `${p}x.txt`;
    await s.upload(key, "secret");
    const url = new URL(await s.signDownload(key, { ttlSeconds: 1 }));
    const tampered = new URL(url);
    tampered.pathname = tampered.pathname.replace("x.txt", "y.txt");
    const r1 = await fetch(tampered);
    await r1.body?.cancel();
    assert.equal(r1.status >= 400, true, "tampered path refused");
    await sleep(2_100);
    const r2 = await fetch(url);
    await r2.body?.cancel();
    assert.equal(r2.status >= 400, true, "expired URL refused");
    await assert.rejects(() => s.signDownload(key, { ttlSeconds: 0 }), RangeError);
    await s.remove(key);
  });

  test("batch operations keep order and report gaps", async (s, p) => {
    const keys = [0, 1, 2, 3, 4].map((i) => `${p}b${i}`);
    await Promise.all(keys.slice(0, 4).map((k, i) => s.upload(k, `v${i}`)));
    const stats = await s.statMany(keys);
    assert.deepEqual(stats.map((x) => x?.size ?? null), [2, 2, 2, 2, null]);
    const bodies = await s.readMany([keys[3], keys[4], keys[0]]);
    assert.deepEqual(bodies.map((b) => (b ? new TextDecoder().decode(b) : null)), [
      "v3",
      null,
      "v0",
    ]);
    const urls = await s.signDownloads(keys.slice(0, 2), { ttlSeconds: 30 });
    assert.equal(await (await fetch(urls[1])).text(), "v1");
    const ups = await s.signUploads([`${p}u0`, `${p}u1`], { ttlSeconds: 30 });
    assert.equal(ups.length, 2);
    await s.removeMany(keys);
    assert.deepEqual(await s.statMany(keys), [null, null, null, null, null]);
  });
}
