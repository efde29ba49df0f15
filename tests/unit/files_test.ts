/**
 * The file service's domain logic, without services: key rules, the byte limit on streamed
 * uploads, workspace prefixes, and sign request checks (storage and authz are fakes).
 */
import assert from "node:assert/strict";
import {
  byteCounter,
  createFileService,
  DEFAULT_SIGN_TTL_SECONDS,
  validateKey,
} from "../../domains/foundation/files.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import type { ObjectStorage, SignOptions, UploadBody } from "../../infra/storage/mod.ts";
import { AppError, Codes, noPermission } from "../../domains/errors.ts";

const MEMBER = 1n;
const SPACE = 42n;

/** Storage that drains streamed bodies into memory and signs fake URLs. */
function fakeStorage() {
  const objects = new Map<string, Uint8Array>();
  const signed: { keys: string[]; options: SignOptions }[] = [];
  const sign = (keys: string[], options: SignOptions) => {
    signed.push({ keys, options });
    return Promise.resolve(keys.map((k) => `https://s3.test/${k}?ttl=${options.ttlSeconds}`));
  };
  const storage = {
    async upload(key: string, body: UploadBody) {
      const bytes = new Uint8Array(await new Response(body as ReadableStream).arrayBuffer());
      objects.set(key, bytes);
      return { key, size: bytes.length };
    },
    signUploads: sign,
    signDownloads: sign,
  } as unknown as ObjectStorage;
  return { storage, objects, signed };
}

const authz: Authz = {
  requireMember: (
    u,
    s,
  ) => (u === MEMBER && s === SPACE ? Promise.resolve("owner") : Promise.reject(noPermission())),
  roleOf: () => Promise.resolve(null),
  knownRole: () => undefined,
  forget: () => Promise.resolve(),
};

const stream = (...chunks: number[]) =>
  ReadableStream.from(chunks.map((n) => new Uint8Array(n).fill(7)));

const code = (c: number) => (err: unknown) => err instanceof AppError && err.code === c;

Deno.test("files: keys are relative paths confined to the workspace", () => {
  for (
    const ok of [
      "a",
      "a/b.txt",
      "datasets/2025/x y.csv",
      "ünï/cödé",
      "a..b/.hidden",
      "x".repeat(1000),
    ]
  ) {
    validateKey(ok, "k");
  }
  const bad = [
    "",
    "/a",
    "a//b",
    "a/",
    "..",
    "../a",
    "a/../b",
    ".",
    "./a",
    "a/./b",
    "a\\b",
    "a\u0000b",
    "a\nb",
    "a\u007fb",
    "a\u0085b",
    "\ud800",
    "x".repeat(1025),
    "é".repeat(513),
  ];
  for (const k of bad) {
    assert.throws(
      () => validateKey(k, "keys.3"),
      (e: unknown) => code(Codes.invalidParam)(e) && (e as Error).message.includes("keys.3"),
      JSON.stringify(k),
    );
  }
  // Room left after `ws/<id>/` (S3 keys are at most 1024 bytes).
  assert.throws(() => validateKey("x".repeat(1010), "file_name", 7300000000000000001n));
  validateKey("x".repeat(1001), "file_name", 7300000000000000001n);
});

Deno.test("files: the byte counter passes bytes up to the limit and fails past it", async () => {
  const ok = byteCounter(10);
  assert.equal(
    (await new Response(stream(4, 6).pipeThrough(ok.stream)).arrayBuffer()).byteLength,
    10,
  );
  assert.equal(ok.bytes(), 10);
  const over = byteCounter(10);
  const seen: number[] = [];
  await assert.rejects(
    stream(4, 6, 1).pipeThrough(over.stream).pipeTo(
      new WritableStream({ write: (c) => void seen.push(c.length) }),
    ),
    code(Codes.fileSizeExceedLimit),
  );
  assert.deepEqual(seen, [4, 6], "nothing past the limit reaches the consumer");
  assert.ok(over.exceeded());
});

Deno.test("files: upload stores under ws/<id>/, counts bytes, refuses outsiders and big bodies", async () => {
  const { storage, objects } = fakeStorage();
  const files = createFileService({ storage, authz, maxUploadBytes: 100 });
  const r = await files.upload(MEMBER, SPACE, "dir/a.bin", stream(60, 40), {});
  assert.deepEqual(r, { bytes: 100, fileName: "dir/a.bin" });
  assert.equal(objects.get("ws/42/dir/a.bin")?.length, 100);

  await assert.rejects(
    files.upload(MEMBER, SPACE, "b.bin", stream(60, 41), {}),
    (e) => code(Codes.fileSizeExceedLimit)(e) && (e as AppError).status === 413,
  );
  assert.ok(!objects.has("ws/42/b.bin"));
  await assert.rejects(
    files.upload(MEMBER, SPACE, "c.bin", stream(1), { size: 101 }),
    code(Codes.fileSizeExceedLimit),
  );

  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
  await assert.rejects(files.upload(2n, SPACE, "d.bin", body, {}), code(Codes.noPermission));
  assert.ok(cancelled, "a refused body is cancelled, so the request is not left waiting");
  await assert.rejects(
    files.upload(MEMBER, SPACE, "../e", stream(1), {}),
    code(Codes.invalidParam),
  );
});

Deno.test("files: sign checks keys, count and ttl, and prefixes keys in request order", async () => {
  const { storage, signed } = fakeStorage();
  const files = createFileService({ storage, authz, maxUploadBytes: 100 });
  const r = await files.signDownloads(MEMBER, SPACE, ["b", "a/c"]);
  assert.deepEqual(r.urls, [
    `https://s3.test/ws/42/b?ttl=${DEFAULT_SIGN_TTL_SECONDS}`,
    `https://s3.test/ws/42/a/c?ttl=${DEFAULT_SIGN_TTL_SECONDS}`,
  ]);
  assert.equal(r.expiresAt - r.signedAt, DEFAULT_SIGN_TTL_SECONDS * 1000);
  await files.signUploads(MEMBER, SPACE, ["x"], 60);
  assert.deepEqual(signed.at(-1), { keys: ["ws/42/x"], options: { ttlSeconds: 60 } });

  const calls = signed.length;
  await assert.rejects(files.signUploads(MEMBER, SPACE, []), code(Codes.invalidParam));
  await assert.rejects(
    files.signUploads(MEMBER, SPACE, Array(101).fill("k")),
    code(Codes.invalidParam),
  );
  await assert.rejects(files.signUploads(MEMBER, SPACE, ["k"], 0), code(Codes.invalidParam));
  await assert.rejects(
    files.signUploads(MEMBER, SPACE, ["k"], 7 * 86400 + 1),
    code(Codes.invalidParam),
  );
  await assert.rejects(files.signUploads(MEMBER, SPACE, ["k", "/k"]), code(Codes.invalidParam));
  await assert.rejects(files.signDownloads(2n, SPACE, ["k"]), code(Codes.noPermission));
  assert.equal(signed.length, calls, "nothing is signed for a refused request");
});
