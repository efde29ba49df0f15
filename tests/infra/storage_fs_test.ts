/**
 * The directory storage of the single-process mode: the storage contract (its presigned URLs
 * served by routes/objects.ts on a real port), key safety, atomic writes, and the refusals
 * of the presigned-URL route.
 */
import assert from "node:assert/strict";
import { createFsStorage, type FsStorageOptions } from "../../infra/storage/fs.ts";
import { NotFoundError, ServiceUnavailableError } from "../../infra/errors.ts";
import { localObjectRoutes } from "../../routes/objects.ts";
import { storageContract } from "../contract/storage_contract.ts";

const SECRET = "test-presigned-url-secret-0123456789";

/** Storage on a fresh directory with its presigned-URL route served on a free port. */
async function serveStorage(
  options: Partial<FsStorageOptions> & { maxUploadBytes?: number } = {},
) {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "storage_fs_" });
  let fetchRoute: (req: Request) => Response | Promise<Response> = () => new Response(null);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => fetchRoute(req),
  );
  const make = () =>
    createFsStorage({
      secret: SECRET,
      publicUrl: `http://127.0.0.1:${server.addr.port}`,
      ...options,
      dir,
    });
  const storage = make();
  const routes = localObjectRoutes(storage, { maxUploadBytes: options.maxUploadBytes });
  fetchRoute = (req) => routes.fetch(req);
  await storage.ensureBucket();
  return {
    dir,
    storage,
    make,
    server,
    async close() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

// One server for the whole contract suite; each contract test opens its own storage on it.
const shared = await serveStorage();
shared.server.unref();
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(shared.dir, { recursive: true });
  } catch { /* already gone */ }
});
storageContract("fs", () => Promise.resolve(shared.make()));

/** Every file under `dir`, relative. */
async function filesUnder(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await filesUnder(dir, p));
    else out.push(p);
  }
  return out;
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name: `fs storage: ${name}`, fn });

test("bad keys are refused with the reason, and nothing is written anywhere", async () => {
  const s = await serveStorage();
  const outside = `${s.dir}/../escaped-${crypto.randomUUID()}`;
  try {
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["/etc/passwd", /relative/],
      ["../x", /"\.\." path segment/],
      ["a/../../b", /"\.\." path segment/],
      ["a/./b", /"\." path segment/],
      ["a//b", /empty path segment/],
      ["a/", /empty path segment/],
      ["a\\..\\b", /backslash/],
      ["a\u0000b", /control character/],
      ["a\nb", /control character/],
      ["\ud800", /well-formed/],
      ["k".repeat(1025), /longer than 1024 bytes/],
    ];
    for (const [key, reason] of bad) {
      await assert.rejects(s.storage.upload(key, "x"), reason, `upload ${JSON.stringify(key)}`);
      await assert.rejects(s.storage.stat(key), RangeError);
      await assert.rejects(s.storage.read(key), RangeError);
      await assert.rejects(s.storage.download(key), RangeError);
      await assert.rejects(s.storage.remove(key), RangeError);
      await assert.rejects(s.storage.signUpload(key, { ttlSeconds: 60 }), RangeError);
      await assert.rejects(s.storage.signDownload(key, { ttlSeconds: 60 }), RangeError);
    }
    // A refused streamed upload does not leave its source hanging.
    let cancelled = false;
    const body = new ReadableStream({ cancel: () => void (cancelled = true) });
    await assert.rejects(s.storage.upload("../up", body), RangeError);
    assert.equal(cancelled, true);
    await assert.rejects(Deno.stat(outside), Deno.errors.NotFound);
    assert.deepEqual(await filesUnder(`${s.dir}/objects`), []);
  } finally {
    await s.close();
  }
});

test("keys a file system would confuse are distinct objects, and no key is a path", async () => {
  const s = await serveStorage();
  try {
    const keys = ["a", "a/b", "A", "dir/" + "é".repeat(300), 'with space/ünï "q" %2e%2e'];
    for (const k of keys) await s.storage.upload(k, `v:${k}`);
    for (const k of keys) {
      assert.equal(new TextDecoder().decode(await s.storage.read(k)), `v:${k}`);
    }
    const files = await filesUnder(s.dir);
    assert.equal(files.length, keys.length);
    for (const f of files) assert.match(f, /^objects\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  } finally {
    await s.close();
  }
});

test("a failed upload keeps the previous object and leaves no temp file", async () => {
  const s = await serveStorage();
  try {
    await s.storage.upload("k", "old", { contentType: "text/plain" });
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent++ < 3) ctrl.enqueue(new Uint8Array(64 * 1024));
        else ctrl.error(new Error("client went away"));
      },
    });
    await assert.rejects(s.storage.upload("k", failing), /client went away/);
    await assert.rejects(s.storage.upload("new", failingStream()), /client went away/);
    assert.equal(new TextDecoder().decode(await s.storage.read("k")), "old");
    assert.equal((await s.storage.stat("k"))?.contentType, "text/plain");
    assert.equal(await s.storage.stat("new"), null);
    assert.deepEqual(await filesUnder(`${s.dir}/tmp`), []);
    // The etag is S3's for a single part: the MD5 of the bytes, quoted.
    const info = await s.storage.upload("k", "new", { contentType: "text/plain" });
    assert.equal(info.etag, '"22af645d1859cb5ca6da0c484f1f37ea"');
    assert.equal((await s.storage.stat("k"))?.etag, info.etag);
  } finally {
    await s.close();
  }
});

function failingStream(): ReadableStream<Uint8Array> {
  let n = 0;
  return new ReadableStream({
    pull: (c) => (n++ ? c.error(new Error("client went away")) : c.enqueue(new Uint8Array(10))),
  });
}

test("concurrent writers of one key: readers see one whole object, never a mix", async () => {
  const s = await serveStorage();
  try {
    const bodies = ["a", "b", "c", "d"].map((ch) => ch.repeat(300_000));
    const reads: Promise<string | null>[] = [];
    const writes = bodies.map((b) => s.storage.upload("k", b));
    for (let i = 0; i < 20; i++) {
      reads.push(s.storage.read("k").then((x) => new TextDecoder().decode(x), () => null));
    }
    await Promise.all(writes);
    for (const r of await Promise.all(reads)) {
      if (r !== null) assert.ok(bodies.includes(r), "a whole body");
    }
    assert.ok(bodies.includes(new TextDecoder().decode(await s.storage.read("k"))));
  } finally {
    await s.close();
  }
});

test("presigned URLs: altered, wrong method, wrong content type, expired -> 403", async () => {
  let skew = 0;
  const s = await serveStorage({ now: () => Date.now() + skew });
  try {
    await s.storage.upload("doc.txt", "secret", { contentType: "text/plain" });
    const get = new URL(await s.storage.signDownload("doc.txt", { ttlSeconds: 60 }));
    const put = new URL(
      await s.storage.signUpload("up.json", { ttlSeconds: 60, contentType: "application/json" }),
    );
    const status = async (url: URL | string, init?: RequestInit) => {
      const r = await fetch(url, init);
      const body = await r.text();
      if (r.status === 403) assert.match(body, /Presigned URL refused: /);
      return r.status;
    };
    const altered = (url: URL, edit: (u: URL) => void) => {
      const u = new URL(url);
      edit(u);
      return u;
    };
    assert.equal(await status(get), 200);
    assert.equal(await status(altered(get, (u) => (u.pathname += "x"))), 403);
    const sig = get.searchParams.get("signature")!;
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    assert.equal(await status(altered(get, (u) => u.searchParams.set("signature", flipped))), 403);
    assert.equal(
      await status(altered(get, (u) => u.searchParams.set("expires", String(Date.now() + 1e9)))),
      403,
    );
    assert.equal(await status(altered(get, (u) => u.searchParams.set("filename", "x.html"))), 403);
    assert.equal(await status(altered(get, (u) => u.searchParams.delete("signature"))), 403);
    assert.equal(await status(get, { method: "PUT", body: "overwrite" }), 403, "GET URL, PUT");
    assert.equal(await status(put), 403, "PUT URL, GET");
    const json = { "content-type": "application/json" };
    assert.equal(
      await status(altered(put, (u) => u.searchParams.set("content-type", "text/html")), {
        method: "PUT",
        body: "<script>",
        headers: { "content-type": "text/html" },
      }),
      403,
    );
    assert.equal(
      await status(put, { method: "PUT", body: "{}", headers: { "content-type": "text/html" } }),
      403,
      "content type other than the signed one",
    );
    assert.equal(await status(put, { method: "PUT", body: "{}" }), 403, "no content type");
    assert.equal(await s.storage.stat("up.json"), null, "no refused upload stored anything");
    assert.equal(await status(put, { method: "PUT", body: "{}", headers: json }), 200);
    assert.equal((await s.storage.stat("up.json"))?.contentType, "application/json");
    skew = 61_000;
    assert.equal(await status(get), 403, "expired");
    assert.equal(await status(put, { method: "PUT", body: "{}", headers: json }), 403, "expired");
  } finally {
    await s.close();
  }
});

test("presigned downloads: headers, HEAD, 404 for a missing object", async () => {
  const s = await serveStorage();
  try {
    await s.storage.upload("ws/1/page.html", "<script>alert(1)</script>", {
      contentType: "text/html",
    });
    const url = await s.storage.signDownload("ws/1/page.html", {
      ttlSeconds: 60,
      fileName: 'réport "final".html',
    });
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "<script>alert(1)</script>");
    assert.equal(r.headers.get("content-type"), "text/html");
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    assert.match(r.headers.get("content-security-policy") ?? "", /sandbox/);
    assert.equal(r.headers.get("etag"), (await s.storage.stat("ws/1/page.html"))?.etag);
    assert.equal(
      r.headers.get("content-disposition"),
      `attachment; filename="r_port _final_.html"; filename*=UTF-8''r%C3%A9port%20%22final%22.html`,
    );
    const head = await fetch(url, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "25");
    assert.equal(await head.text(), "");
    const plain = await fetch(await s.storage.signDownload("ws/1/page.html", { ttlSeconds: 60 }));
    await plain.body?.cancel();
    assert.equal(plain.headers.get("content-disposition"), null);
    await s.storage.remove("ws/1/page.html");
    const gone = await fetch(url);
    assert.equal(gone.status, 404);
    assert.match(await gone.text(), /Object not found: ws\/1\/page\.html/);
  } finally {
    await s.close();
  }
});

test("presigned uploads over the limit are refused with 413 and store nothing", async () => {
  const s = await serveStorage({ maxUploadBytes: 1_000 });
  try {
    const url = await s.storage.signUpload("big.bin", { ttlSeconds: 60 });
    const declared = await fetch(url, { method: "PUT", body: new Uint8Array(1_001) });
    assert.equal(declared.status, 413);
    await declared.body?.cancel();
    let n = 0;
    const chunked = await fetch(url, {
      method: "PUT",
      body: new ReadableStream({
        pull: (c) => (n++ < 4 ? c.enqueue(new Uint8Array(400)) : c.close()),
      }),
    });
    assert.equal(chunked.status, 413);
    await chunked.body?.cancel();
    assert.equal(await s.storage.stat("big.bin"), null);
    const ok = await fetch(url, {
      method: "PUT",
      body: new Uint8Array(1_000),
      headers: { "content-type": "application/x-thing" },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("etag"), (await s.storage.stat("big.bin"))?.etag);
    assert.equal((await s.storage.stat("big.bin"))?.contentType, "application/x-thing");
  } finally {
    await s.close();
  }
});

// The client runs in its own process, as clients do, so this process's memory is the
// server's. It sends a buffer (the server still receives a stream): Deno's fetch streaming a
// ReadableStream body to a server that awaits between reads crawls at ~10 ms a chunk.
const CLIENT = `
const [put, get, mb] = Deno.args;
const r1 = await fetch(put, { method: "PUT", body: new Uint8Array(Number(mb) * 1024 * 1024) });
if (r1.status !== 200) throw new Error("PUT answered " + r1.status + ": " + await r1.text());
const r2 = await fetch(get);
let bytes = 0;
for await (const part of r2.body) bytes += part.byteLength;
console.log(bytes);
`;

test("a large body streams through the route both ways without sitting in memory", async () => {
  const s = await serveStorage();
  try {
    const mb = 256;
    await Deno.writeTextFile(`${s.dir}/client.js`, CLIENT);
    const put = await s.storage.signUpload("big.bin", { ttlSeconds: 60 });
    const get = await s.storage.signDownload("big.bin", { ttlSeconds: 60 });
    const before = Deno.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 5);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-net=127.0.0.1:${s.server.addr.port}`,
        `${s.dir}/client.js`,
        put,
        get,
        `${mb}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output().finally(() => clearInterval(sampler));
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(Number(new TextDecoder().decode(out.stdout)), mb * 1024 * 1024);
    assert.equal((await s.storage.stat("big.bin"))?.size, mb * 1024 * 1024);
    const growth = (peak - before) / (1024 * 1024);
    // 256 MB went in and out; the server's growth stays a small fraction of that.
    assert.ok(growth < 128, `peak RSS growth ${growth.toFixed(0)} MB`);
  } finally {
    await s.close();
  }
});

test("ensureBucket clears stale temp files; ping creates the directory or reports it", async () => {
  const s = await serveStorage();
  try {
    await Deno.writeTextFile(`${s.dir}/tmp/crashed`, "partial");
    await Deno.utime(`${s.dir}/tmp/crashed`, new Date(0), new Date(0));
    await Deno.writeTextFile(`${s.dir}/tmp/recent`, "in progress");
    await s.storage.ensureBucket();
    assert.deepEqual(await filesUnder(`${s.dir}/tmp`), ["recent"]);
    const fresh = createFsStorage({
      dir: `${s.dir}/new/nested`,
      publicUrl: "http://127.0.0.1:1",
      secret: SECRET,
    });
    await fresh.ping();
    assert.ok((await Deno.stat(`${s.dir}/new/nested`)).isDirectory);
    const onFile = createFsStorage({
      dir: `${s.dir}/tmp/recent`,
      publicUrl: "http://127.0.0.1:1",
      secret: SECRET,
    });
    await assert.rejects(onFile.ping(), ServiceUnavailableError);
    await assert.rejects(fresh.read("missing"), NotFoundError);
  } finally {
    await s.close();
  }
});

test("options are checked when the storage is built", () => {
  const dir = "/tmp/unused";
  assert.throws(() => createFsStorage({ dir, publicUrl: "http://h", secret: "short" }), /16 bytes/);
  assert.throws(() => createFsStorage({ dir, publicUrl: "h:8888", secret: SECRET }), RangeError);
  assert.throws(
    () => createFsStorage({ dir, publicUrl: "http://h/?x=1", secret: SECRET }),
    /without query/,
  );
  const s = createFsStorage({ dir, publicUrl: "https://loop.example/base/", secret: SECRET });
  return s.signDownload("a b/c", { ttlSeconds: 5 }).then((url) =>
    assert.match(url, /^https:\/\/loop\.example\/base\/objects\/a%20b\/c\?expires=\d+&signature=/)
  );
});
