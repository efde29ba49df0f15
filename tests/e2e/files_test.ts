/**
 * Files end to end, over HTTP against the real server (MySQL, Redis, S3): the SDK's
 * streamed multipart upload in either field order, a 500 MB upload in bounded memory, the
 * upload limit (413, nothing stored), presigned upload/download URLs, key rules, workspace
 * isolation, authentication and malformed input.
 */
import assert from "node:assert/strict";
import { objectKey } from "../../domains/foundation/files.ts";
import { createS3Storage } from "../../infra/storage/s3.ts";
import { testConfig } from "../_env.ts";
import { type ServerProcess, startServer, testMode } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "./_client.ts";
import { assertWorkspaceIsolation } from "./_isolation.ts";
import {
  type FormPart,
  generatedBytes,
  multipartBody,
  rssBytes,
  sampleRss,
  sha256,
} from "./_multipart.ts";

const UPLOAD = "/v1/loop/files/upload";
const SIGN_UP = "/api/foundation/v1/sign_upload_files";
const SIGN_DOWN = "/api/foundation/v1/sign_download_files";
const MB = 1024 * 1024;

/** POSTs a hand-built multipart form to the upload route. */
async function upload(
  server: ServerProcess,
  token: string | undefined,
  parts: FormPart[],
  query = "",
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const form = multipartBody(parts);
  const res = await fetch(`${server.url}${UPLOAD}${query}`, {
    method: "POST",
    headers: {
      "content-type": form.type,
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: form.body,
  });
  return { status: res.status, body: await res.json() };
}

/** GETs `key` of the user's workspace through a presigned download URL. */
async function download(server: ServerProcess, user: TestUser, key: string): Promise<Response> {
  const r = await post(server, SIGN_DOWN, { keys: [key], workspace_id: user.spaceId }, user);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return await fetch(r.body.uris[0]);
}

/** Objects stored by these tests, removed at the end: the test S3 keeps objects in RAM. */
const stored: string[] = [];

async function removeStored(): Promise<void> {
  // Embedded servers keep objects in their own data directory, removed with it.
  if (testMode() === "embedded") return void stored.splice(0);
  const storage = createS3Storage(testConfig().s3);
  try {
    await storage.removeMany(stored.splice(0));
  } finally {
    await storage.close();
  }
}

async function assertStored(server: ServerProcess, user: TestUser, key: string, hash: string) {
  stored.push(objectKey(BigInt(user.spaceId), key));
  const res = await download(server, user, key);
  assert.equal(res.status, 200, `${key} is stored`);
  assert.equal(await sha256(res.body!), hash, `${key} holds the uploaded bytes`);
}

async function assertAbsent(server: ServerProcess, user: TestUser, key: string) {
  const res = await download(server, user, key);
  await res.body?.cancel();
  assert.equal(res.status, 404, `${key} is not stored`);
}

/** Prints a measured RSS growth (peak during the upload minus before). */
function report(what: string, size: number, growth: number): void {
  console.log(`${size / MB} MB upload, ${what}: server RSS grew ${(growth / MB).toFixed(1)} MB`);
}

const randomBytes = (n: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, i + 65536));
  return b;
};
const key = (name: string) => `e2e/${crypto.randomUUID()}/${name}`;

Deno.test({
  name: "e2e files: uploads, presigned URLs, key rules, isolation, bad input",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer({ COZE_LOOP_MAX_UPLOAD_MB: "512" });
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);

      await t.step("upload with workspace_id first stores the exact bytes", async () => {
        const data = randomBytes(300_000);
        const k = key("first.bin");
        const r = await upload(server, token, [
          { name: "workspace_id", value: a.spaceId },
          { name: "file", filename: k, data },
        ]);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { code: 0, msg: "", data: { bytes: "300000", file_name: k } });
        await assertStored(server, a, k, await sha256(data));
      });

      await t.step("upload with the file first (spooled) stores the exact bytes", async () => {
        const data = randomBytes(9 * MB + 123); // more than one S3 part
        const k = key("dir/file first.bin");
        const r = await upload(server, token, [
          { name: "file", filename: k, data },
          { name: "workspace_id", value: a.spaceId },
        ]);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.data.bytes, String(data.length));
        await assertStored(server, a, k, await sha256(data));
      });

      await t.step("workspace_id may be a query parameter", async () => {
        const k = key("query.txt");
        const r = await upload(server, token, [
          { name: "file", filename: k, data: new TextEncoder().encode("hi") },
        ], `?workspace_id=${a.spaceId}`);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        await assertStored(server, a, k, await sha256(new TextEncoder().encode("hi")));
      });

      await t.step("500 MB stream through without being held in memory", async () => {
        const pid = server.child.pid;
        const streamed = async (size: number, seed: number) => {
          const gen = generatedBytes(size, { seed, bytesPerSecond: 50 * MB });
          const k = key(`big-${seed}.bin`);
          const before = rssBytes(pid);
          const rss = sampleRss(pid);
          const r = await upload(server, token, [
            { name: "workspace_id", value: a.spaceId },
            { name: "file", filename: k, data: gen.chunks },
          ]);
          const growth = rss.stop() - before;
          assert.equal(r.body.code, 0, JSON.stringify(r.body));
          assert.equal(r.body.data.bytes, String(size));
          await assertStored(server, a, k, gen.sha256());
          return growth;
        };
        // A process's first upload to S3 grows it by 70-145 MB that stays (V8 heap and
        // allocator arenas sized up, the S3 client's first multipart upload), whatever the
        // upload's size; that one is reported, not judged.
        report("the process's first, streamed to storage", 100 * MB, await streamed(100 * MB, 6));
        // The server holds a few S3 parts of an upload at a time, and V8 collects spent
        // buffers lazily: a warm process streaming 300-600 MB at 50 MB/s (a fast real network)
        // grew by 5-85 MB with S3, and by 115-150 MB embedded (observed). Holding the upload
        // would grow it by its size or more: 500 MB (the upload limit is 512 MiB) keeps the
        // two cases apart.
        const size = 500 * MB;
        const growth = await streamed(size, 7);
        report("a later one, streamed to storage", size, growth);
        assert.ok(growth < size / 2, `server RSS grew ${(growth / MB).toFixed(1)} MB`);
      });

      await t.step("a presigned upload URL accepts a PUT; the object is downloadable", async () => {
        const k = key("presigned.json");
        const r = await post(server, SIGN_UP, {
          keys: [k, key("other")],
          option: { ttl: "600" },
          business_type: "evaluation",
          workspace_id: a.spaceId,
        }, a);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        assert.equal(r.body.uris.length, 2);
        assert.equal(r.body.sign_heads.length, 2);
        const head = r.body.sign_heads[0];
        assert.deepEqual(Object.keys(head).sort(), ["current_time", "expired_time"]);
        assert.equal(Number(head.expired_time) - Number(head.current_time), 600);
        assert.ok(!JSON.stringify(r.body).includes(Deno.env.get("COZE_LOOP_OSS_PASSWORD")!));
        const data = new TextEncoder().encode('{"hello":"world"}');
        const put = await fetch(r.body.uris[0], { method: "PUT", body: data });
        await put.body?.cancel();
        assert.equal(put.status, 200);
        await assertStored(server, a, k, await sha256(data));
      });

      await t.step("keys outside the rules are invalid params naming the field", async () => {
        const bad = ["../x", "a/../b", "./a", "a/./b", "/abs", "a\\b", "a//b", "a/", "a\tb"];
        for (const k of bad) {
          const r = await upload(server, token, [
            { name: "workspace_id", value: a.spaceId },
            { name: "file", filename: k, data: new Uint8Array([1]) },
          ]);
          assert.equal(r.body.code, 602000202, `upload ${JSON.stringify(k)}`);
          assert.match(r.body.msg, /file_name/);
        }
        for (const k of [...bad, "a\u0000b", "a\u007fb", "", "x".repeat(1025)]) {
          for (const path of [SIGN_UP, SIGN_DOWN]) {
            const r = await post(server, path, { keys: ["ok.txt", k], workspace_id: a.spaceId }, a);
            assert.equal(r.body.code, 602000202, `${path} ${JSON.stringify(k)}`);
            assert.match(r.body.msg, /keys\.1/);
          }
        }
      });

      await t.step("another user's token or session cannot use the workspace", async () => {
        const b = await registerUser(server);
        const bToken = await createToken(server, b.cookie);
        const k = key("intruder.txt");
        const r = await upload(server, bToken, [
          { name: "workspace_id", value: a.spaceId },
          { name: "file", filename: k, data: new TextEncoder().encode("x") },
        ]);
        assert.equal(r.body.code, 602000101);
        const spooled = await upload(server, bToken, [
          { name: "file", filename: k, data: new TextEncoder().encode("x") },
          { name: "workspace_id", value: a.spaceId },
        ]);
        assert.equal(spooled.body.code, 602000101);
        await assertAbsent(server, a, k);
        for (const path of [SIGN_UP, SIGN_DOWN]) {
          await assertWorkspaceIsolation(server, {
            path,
            auth: "cookie",
            body: (ws) => ({ keys: ["a.txt"], workspace_id: ws }),
          }, { owner: a, outsider: b });
        }
      });

      await t.step("the routes are in the OpenAPI document", async () => {
        const doc = await (await fetch(`${server.url}/openapi.json`)).json();
        assert.ok(doc.paths[UPLOAD].post.requestBody.content["multipart/form-data"]);
        assert.ok(doc.paths[SIGN_UP].post && doc.paths[SIGN_DOWN].post);
      });

      await t.step("no token or a bad one: HTTP 401 with an envelope", async () => {
        for (const tok of [undefined, "pat_" + "x".repeat(43)]) {
          const r = await upload(server, tok, [
            { name: "workspace_id", value: a.spaceId },
            { name: "file", filename: "x.txt", data: new Uint8Array([1]) },
          ]);
          assert.equal(r.status, 401);
          assert.equal(r.body.code, 602000103);
        }
        const anon = await post(server, SIGN_UP, { keys: ["a"], workspace_id: a.spaceId });
        assert.equal(anon.status, 401);
        assert.equal(anon.body.code, 602000103);
      });

      await t.step("malformed requests are invalid params naming the field", async () => {
        const ws = a.spaceId;
        const cases: [unknown, string][] = [
          [{ workspace_id: ws }, "keys"],
          [{ keys: "a.txt", workspace_id: ws }, "keys"],
          [{ keys: [1], workspace_id: ws }, "keys.0"],
          [{ keys: [] as string[], workspace_id: ws }, "keys"],
          [{ keys: Array.from({ length: 101 }, (_, i) => `k${i}`), workspace_id: ws }, "keys"],
          [{ keys: ["a"] }, "workspace_id"],
          [{ keys: ["a"], workspace_id: "abc" }, "workspace_id"],
          [{ keys: ["a"], workspace_id: ws, extra: 1 }, "extra"],
          [{ keys: ["a"], workspace_id: ws, option: { ttl: 0 } }, "option.ttl"],
          [{ keys: ["a"], workspace_id: ws, option: { ttl: 7 * 86400 + 1 } }, "option.ttl"],
          [{ keys: ["a"], workspace_id: ws, option: { ttl: 5, x: 1 } }, "option"],
          [{ keys: ["a"], workspace_id: ws, business_type: "mail" }, "business_type"],
        ];
        for (const [body, field] of cases) {
          for (const path of [SIGN_UP, SIGN_DOWN]) {
            const r = await post(server, path, body, a);
            assert.equal(r.body.code, 602000202, `${path} ${JSON.stringify(body)}`);
            assert.ok(r.body.msg.includes(field), `${r.body.msg} names ${field}`);
          }
        }
        const one = { name: "file", filename: key("x"), data: new Uint8Array([1]) };
        const forms: [FormPart[], string][] = [
          [[one], "workspace_id"],
          [[{ name: "workspace_id", value: ws }], "file"],
          [[{ name: "workspace_id", value: "abc" }, one], "workspace_id"],
          [[{ name: "workspace_id", value: ws }, one, { ...one, filename: key("y") }], "file"],
          [[{ name: "workspace_id", value: ws }, { ...one, name: "upload" }], "file"],
        ];
        for (const [parts, field] of forms) {
          const r = await upload(server, token, parts);
          assert.equal(r.body.code, 602000202, JSON.stringify(r.body));
          assert.ok(r.body.msg.includes(field), `${r.body.msg} names ${field}`);
        }
        const json = await post(server, UPLOAD, { workspace_id: ws }, { token });
        assert.equal(json.body.code, 602000202);
        assert.match(json.body.msg, /multipart/);
      });
    } finally {
      await server.stop();
      await removeStored();
    }
  },
});

Deno.test({
  name: "e2e files: an upload over COZE_LOOP_MAX_UPLOAD_MB gets 413 and stores nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer({ COZE_LOOP_MAX_UPLOAD_MB: "1" });
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      for (const order of ["workspace first", "file first"]) {
        const k = key("too-big.bin");
        const file: FormPart = { name: "file", filename: k, data: randomBytes(MB + 1) };
        const ws: FormPart = { name: "workspace_id", value: a.spaceId };
        const r = await upload(server, token, order === "file first" ? [file, ws] : [ws, file]);
        assert.equal(r.status, 413, order);
        assert.equal(r.body.code, 602001001, order);
        await assertAbsent(server, a, k);
        const exact = randomBytes(MB);
        const fits: FormPart = { ...file, data: exact };
        const ok = await upload(server, token, order === "file first" ? [fits, ws] : [ws, fits]);
        assert.equal(ok.body.code, 0, `exactly the limit is accepted (${order})`);
        await assertStored(server, a, k, await sha256(exact));
      }
    } finally {
      await server.stop();
      await removeStored();
    }
  },
});
