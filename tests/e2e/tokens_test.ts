/**
 * Personal access tokens end to end: lifecycle over the web API, and `/v1/loop` calls with a
 * valid, an expired, a revoked, an unknown and a missing token; the workspace in the call
 * must be one the token's user belongs to.
 */
import assert from "node:assert/strict";
import { sleep } from "../_env.ts";
import { type ServerProcess, startPeer, startServer } from "../_server.ts";
import { createToken, post, registerUser } from "./_client.ts";

const T = "/api/auth/v1/personal_access_tokens";

/** An SDK-style call: upload a small file into `spaceId` with `token`. */
async function loopCall(server: ServerProcess, token: string | undefined, spaceId: string) {
  const form = new FormData();
  form.append("workspace_id", spaceId);
  form.append("file", new Blob(["hello"]), `probe-${crypto.randomUUID()}.txt`);
  const res = await fetch(`${server.url}/v1/loop/files/upload`, {
    method: "POST",
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

Deno.test({
  name: "e2e tokens: lifecycle and /v1/loop authentication",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const a = await registerUser(server);

      await t.step("create shows the value once; list/get never do", async () => {
        const created = await post(server, T, { name: "ci", duration_day: "30" }, a);
        assert.equal(created.body.code, 0);
        const token: string = created.body.token;
        assert.match(token, /^pat_[A-Za-z0-9_-]{43}$/);
        const pat = created.body.personal_access_token;
        assert.equal(typeof pat.id, "string");
        assert.equal(pat.last_used_at, "-1");
        assert.ok(Number(pat.expire_at) - Number(pat.created_at) === 30 * 86400);
        const list = await post(server, `${T}/list`, { page_size: 10, page_number: 1 }, a);
        assert.equal(list.body.code, 0);
        assert.ok(list.body.personal_access_tokens.some((p: { id: string }) => p.id === pat.id));
        assert.ok(!JSON.stringify(list.body).includes(token), "the value is never listed");
        const one = await post(server, `${T}/${pat.id}`, undefined, a, "GET");
        assert.equal(one.body.personal_access_token.name, "ci");
        assert.ok(!JSON.stringify(one.body).includes(token));
        const renamed = await post(server, `${T}/${pat.id}`, { name: "ci-2" }, a, "PUT");
        assert.equal(renamed.body.code, 0);
        const again = await post(server, `${T}/${pat.id}`, undefined, a, "GET");
        assert.equal(again.body.personal_access_token.name, "ci-2");

        const ok = await loopCall(server, token, a.spaceId);
        assert.equal(ok.body.code, 0, JSON.stringify(ok.body));
        const used = await post(server, `${T}/${pat.id}`, undefined, a, "GET");
        assert.notEqual(used.body.personal_access_token.last_used_at, "-1", "last use recorded");

        const del = await post(server, `${T}/${pat.id}`, undefined, a, "DELETE");
        assert.equal(del.body.code, 0);
        const revoked = await loopCall(server, token, a.spaceId);
        assert.equal(revoked.status, 401, "a revoked token stops working at once");
        assert.equal(revoked.body.code, 602000103);
        const gone = await post(server, `${T}/${pat.id}`, undefined, a, "GET");
        assert.equal(gone.body.code, 602000205);
      });

      await t.step("expired, unknown and missing tokens get 401 with an envelope", async () => {
        const expireAt = Math.floor(Date.now() / 1000) + 2;
        const token = await createToken(server, a.cookie, { name: "short", expire_at: expireAt });
        assert.equal((await loopCall(server, token, a.spaceId)).body.code, 0);
        await sleep(3_100);
        const expired = await loopCall(server, token, a.spaceId);
        assert.equal(expired.status, 401);
        assert.equal(expired.body.code, 602000103);
        for (const bad of ["pat_" + "x".repeat(43), "not-a-token", undefined]) {
          const r = await loopCall(server, bad, a.spaceId);
          assert.equal(r.status, 401);
          assert.equal(typeof r.body.msg, "string");
        }
        const past = await post(server, T, { name: "past", expire_at: expireAt - 100 }, a);
        assert.equal(past.body.code, 602000202);
      });

      await t.step("a token cannot reach another user's tokens or workspace", async () => {
        const b = await registerUser(server);
        const mine = await post(server, T, { name: "a-token" }, a);
        const id = mine.body.personal_access_token.id;
        assert.equal((await post(server, `${T}/${id}`, undefined, b, "GET")).body.code, 602000205);
        assert.equal(
          (await post(server, `${T}/${id}`, { name: "stolen" }, b, "PUT")).body.code,
          602000205,
        );
        assert.equal(
          (await post(server, `${T}/${id}`, undefined, b, "DELETE")).body.code,
          602000205,
        );
        assert.equal(
          (await loopCall(server, mine.body.token, a.spaceId)).body.code,
          0,
          "still valid",
        );
        const bToken = await createToken(server, b.cookie);
        const cross = await loopCall(server, bToken, a.spaceId);
        assert.equal(cross.body.code, 602000101, "B's token cannot act in A's workspace");
      });

      await t.step("workspaces: members only", async () => {
        const b = await registerUser(server);
        const own = await post(
          server,
          `/api/foundation/v1/spaces/${a.spaceId}`,
          undefined,
          a,
          "GET",
        );
        assert.equal(own.body.code, 0);
        assert.equal(own.body.space.id, a.spaceId);
        for (const id of [a.spaceId, "1", "9223372036854775807"]) {
          const r = await post(server, `/api/foundation/v1/spaces/${id}`, undefined, b, "GET");
          assert.equal(r.body.code, 602000101, `space ${id}`);
        }
        const listB = await post(server, "/api/foundation/v1/spaces/list", {}, b);
        assert.deepEqual(listB.body.spaces.map((s: { id: string }) => s.id), [b.spaceId]);
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "e2e tokens: a revocation reaches every server process at once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const one = await startServer();
    const two = await startPeer(one);
    try {
      const a = await registerUser(one);
      const created = await post(one, T, { name: "shared", duration_day: "1" }, a);
      const token = created.body.token;
      // Server two has verified (and cached) the token.
      assert.equal((await loopCall(two, token, a.spaceId)).body.code, 0);
      const revokedAt = Date.now();
      const del = await post(
        one,
        `${T}/${created.body.personal_access_token.id}`,
        undefined,
        a,
        "DELETE",
      );
      assert.equal(del.body.code, 0);
      let status = 0;
      while (Date.now() - revokedAt < 3_000 && status !== 401) {
        status = (await loopCall(two, token, a.spaceId)).status;
      }
      assert.equal(status, 401, "refused by the other process well before its 5 s cache expires");
    } finally {
      await one.stop();
      await two.stop();
    }
  },
});
