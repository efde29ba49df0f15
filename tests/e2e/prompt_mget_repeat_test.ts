/**
 * `prompts/mget` as SDKs call it: the same request over and over (served by the fast lane
 * once its token, body, membership and prompts are known). Commits and label moves still
 * show at once, non-members are still refused, errors stay errors, the rate limit still
 * applies, and every answer carries a request id and an access-log line.
 */
import assert from "node:assert/strict";
import { type ServerProcess, startServer } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "./_client.ts";

const P = "/api/prompt/v1/prompts";
const MGET = "/v1/loop/prompts/mget";

const detail = (text: string) => ({
  prompt_template: {
    template_type: "normal",
    messages: [{ role: "system", content: text }],
    variable_defs: [],
  },
});

async function promptWithCommit(server: ServerProcess, u: TestUser, key: string) {
  const r = await post(server, P, {
    workspace_id: u.spaceId,
    prompt_key: key,
    prompt_name: key,
    draft_detail: detail("first"),
  }, u);
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const id = r.body.prompt_id as string;
  const c = await post(server, `${P}/${id}/drafts/commit`, {
    commit_version: "0.0.1",
    label_keys: ["production"],
  }, u);
  assert.equal(c.body.code, 0, JSON.stringify(c.body));
  return id;
}

/** Sends the exact same request text `n` times; returns every answer. */
async function repeat(server: ServerProcess, token: string, text: string, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await post(server, MGET, text, { token }));
  return out;
}

const versions = (r: { body: { data: { items: { prompt: { version: string } }[] } } }) =>
  r.body.data.items.map((i) => i.prompt.version);

Deno.test({
  name: "e2e mget repeated: fresh answers, checks and errors on every call",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const key = `repeat_${crypto.randomUUID().slice(0, 8)}`;
      const id = await promptWithCommit(server, a, key);
      const text = JSON.stringify({
        workspace_id: a.spaceId,
        queries: [{ prompt_key: key }, { prompt_key: key, label: "production" }],
      });

      await t.step("the same request answers the same, each with its own request id", async () => {
        const answers = await repeat(server, token, text, 6);
        for (const r of answers) {
          assert.equal(r.body.code, 0, JSON.stringify(r.body));
          assert.deepEqual(versions(r), ["0.0.1", "0.0.1"]);
        }
        const ids = answers.map((r) => r.res.headers.get("x-request-id"));
        assert.equal(new Set(ids).size, ids.length, `distinct request ids: ${ids}`);
        const mine = await fetch(`${server.url}${MGET}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "x-request-id": "sdk-call-42" },
          body: text,
        });
        assert.equal((await mine.json()).code, 0);
        assert.equal(mine.headers.get("x-request-id"), "sdk-call-42");
        // Log lines are written in batches: give the last one a moment to arrive.
        await new Promise((r) => setTimeout(r, 200));
        const lines = server.logs().split("\n").filter((l) =>
          l.includes('"msg":"request"') && l.includes(`"path":"${MGET}"`)
        );
        assert.ok(lines.length >= 7, `an access-log line per call (${lines.length})`);
        assert.ok(lines.some((l) => l.includes('"request_id":"sdk-call-42"')));
        assert.ok(!server.logs().includes(token), "the token is never logged");
      });

      await t.step("a commit and a label move show on the very next call", async () => {
        await post(
          server,
          `${P}/${id}/drafts/save`,
          { prompt_draft: { detail: detail("2nd") } },
          a,
        );
        const c = await post(server, `${P}/${id}/drafts/commit`, { commit_version: "0.0.2" }, a);
        assert.equal(c.body.code, 0, JSON.stringify(c.body));
        assert.deepEqual(versions((await repeat(server, token, text, 1))[0]), ["0.0.2", "0.0.1"]);
        const move = await post(server, `${P}/${id}/commits/0.0.2/labels_update`, {
          workspace_id: a.spaceId,
          label_keys: ["production"],
        }, a);
        assert.equal(move.body.code, 0, JSON.stringify(move.body));
        for (const r of await repeat(server, token, text, 3)) {
          assert.deepEqual(versions(r), ["0.0.2", "0.0.2"]);
        }
      });

      await t.step("a non-member is refused every time, with the same text", async () => {
        const b = await registerUser(server);
        const bToken = await createToken(server, b.cookie);
        for (const r of await repeat(server, bToken, text, 3)) {
          assert.equal(r.body.code, 602000101, JSON.stringify(r.body));
          assert.equal(r.body.data, undefined);
        }
      });

      await t.step("an unassigned label is an error every time", async () => {
        const bad = JSON.stringify({
          workspace_id: a.spaceId,
          queries: [{ prompt_key: key }, { prompt_key: key, label: "beta" }],
        });
        for (const r of await repeat(server, token, bad, 3)) {
          assert.equal(r.body.code, 600501007, JSON.stringify(r.body));
        }
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "e2e mget repeated: the per-workspace rate limit holds",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer({ COZE_LOOP_PROMPT_HUB_QPS: "2" });
    try {
      const a = await registerUser(server);
      const token = await createToken(server, a.cookie);
      const key = `limited_${crypto.randomUUID().slice(0, 8)}`;
      await promptWithCommit(server, a, key);
      const text = JSON.stringify({ workspace_id: a.spaceId, queries: [{ prompt_key: key }] });
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => post(server, MGET, text, { token })),
      );
      const ok = answers.filter((r) => r.body.code === 0).length;
      const limited = answers.filter((r) => r.body.code === 600502001);
      assert.ok(ok >= 1 && ok <= 6, `allowed ${ok} of 12 at 2/s with a burst of 4`);
      assert.equal(ok + limited.length, 12, JSON.stringify(answers.map((r) => r.body.code)));
      assert.ok(limited.every((r) => r.status === 429));
    } finally {
      await server.stop();
    }
  },
});
