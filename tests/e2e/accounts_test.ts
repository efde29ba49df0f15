/**
 * Accounts and sessions end to end over HTTP on the real services: register, login,
 * session, logout (revoked server-side), password reset, profile, duplicate and wrong input.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { post, registerUser, sessionCookie } from "./_client.ts";

const U = "/api/foundation/v1/users";

Deno.test({
  name: "e2e accounts: register, session, logout, login, password reset, profile",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const server = await startServer();
    try {
      const a = await registerUser(server);

      await t.step("the session answers the user; a personal workspace exists", async () => {
        const s = await post(server, `${U}/session`, undefined, { cookie: a.cookie }, "GET");
        assert.equal(s.body.code, 0);
        assert.equal(s.body.user_info.email, a.email);
        assert.equal(s.body.user_info.user_id, a.userId);
        assert.equal(typeof s.body.user_info.user_id, "string", "int64 as a string");
        const spaces = await post(server, "/api/foundation/v1/spaces/list", {}, a);
        assert.equal(spaces.body.total, 1);
        assert.equal(spaces.body.spaces[0].space_type, 1, "personal");
        assert.equal(spaces.body.spaces[0].owner_user_id, a.userId);
      });

      await t.step("the cookie is HttpOnly, Path=/, 7 days, and signed", async () => {
        const r = await post(server, `${U}/login_by_password`, {
          email: a.email,
          password: a.password,
        });
        const set = r.res.headers.getSetCookie().find((c) => c.startsWith("session_key="));
        assert.ok(set);
        assert.match(set, /HttpOnly/i);
        assert.match(set, /Path=\//);
        assert.match(set, /Max-Age=604800/);
        const forged = set.split(";")[0].replace(/.$/, (ch) => (ch === "A" ? "B" : "A"));
        const s = await post(server, `${U}/session`, undefined, { cookie: forged }, "GET");
        assert.equal(s.status, 401, "a tampered token is refused");
      });

      await t.step("logout revokes the session server-side", async () => {
        const login = await post(server, `${U}/login_by_password`, {
          email: a.email.toUpperCase(),
          password: a.password,
        });
        assert.equal(login.body.code, 0, "email is case-insensitive");
        const cookie = sessionCookie(login.res)!;
        assert.equal((await post(server, `${U}/logout`, undefined, { cookie })).body.code, 0);
        const after = await post(server, `${U}/session`, undefined, { cookie }, "GET");
        assert.equal(after.status, 401);
        assert.equal(after.body.code, 602000103);
        const other = await post(server, `${U}/session`, undefined, { cookie: a.cookie }, "GET");
        assert.equal(other.body.code, 0, "other sessions of the user survive a logout");
      });

      await t.step("duplicate email and wrong credentials", async () => {
        const dup = await post(server, `${U}/register`, {
          email: a.email.toUpperCase(),
          password: "another-password",
        });
        assert.equal(dup.body.code, 602002002);
        const wrong = await post(server, `${U}/login_by_password`, {
          email: a.email,
          password: "not-the-password",
        });
        assert.equal(wrong.body.code, 602002003);
        const unknown = await post(server, `${U}/login_by_password`, {
          email: `nobody-${crypto.randomUUID()}@example.com`,
          password: "whatever-password",
        });
        assert.equal(unknown.body.code, 602002003, "same answer: accounts cannot be probed");
        assert.equal(unknown.body.msg, wrong.body.msg);
      });

      await t.step("password reset ends every session; new password works", async () => {
        const b = await registerUser(server);
        const second = sessionCookie(
          (await post(server, `${U}/login_by_password`, { email: b.email, password: b.password }))
            .res,
        )!;
        const mismatch = await post(server, `${U}/reset_password`, {
          email: a.email,
          password: "new-password-1",
        }, { cookie: b.cookie });
        assert.equal(mismatch.body.code, 602000202, "only the signed-in account's email");
        const anonymous = await post(server, `${U}/reset_password`, {
          email: b.email,
          password: "new-password-1",
        });
        assert.equal(anonymous.status, 401, "no anonymous resets (the reference allows them)");
        const ok = await post(server, `${U}/reset_password`, {
          email: b.email,
          password: "new-password-1",
        }, { cookie: b.cookie });
        assert.equal(ok.body.code, 0);
        for (const cookie of [b.cookie, second]) {
          const s = await post(server, `${U}/session`, undefined, { cookie }, "GET");
          assert.equal(s.status, 401, "every session of the account ended");
        }
        const old = await post(server, `${U}/login_by_password`, {
          email: b.email,
          password: b.password,
        });
        assert.equal(old.body.code, 602002003);
        const fresh = await post(server, `${U}/login_by_password`, {
          email: b.email,
          password: "new-password-1",
        });
        assert.equal(fresh.body.code, 0);
      });

      await t.step("profile: own only, unique names", async () => {
        const b = await registerUser(server);
        const name = `n_${crypto.randomUUID().slice(0, 8)}`;
        const mine = await post(
          server,
          `${U}/${a.userId}/update_profile`,
          {
            name,
            nick_name: "Alice",
            description: "hi",
          },
          a,
          "PUT",
        );
        assert.equal(mine.body.code, 0, JSON.stringify(mine.body));
        assert.equal(mine.body.user_info.name, name);
        assert.equal(mine.body.user_info.nick_name, "Alice");
        const taken = await post(server, `${U}/${b.userId}/update_profile`, { name }, b, "PUT");
        assert.equal(taken.body.code, 602002001);
        const others = await post(
          server,
          `${U}/${a.userId}/update_profile`,
          {
            nick_name: "Mallory",
          },
          b,
          "PUT",
        );
        assert.equal(others.body.code, 602000101);
        const s = await post(server, `${U}/session`, undefined, a, "GET");
        assert.equal(s.body.user_info.nick_name, "Alice", "unchanged by the refused call");
      });

      await t.step("login attempts are rate-limited per account", async () => {
        const c = await registerUser(server);
        let limited: { status: number; body: { code: number } } | undefined;
        for (let i = 0; i < 12 && !limited; i++) {
          const r = await post(server, `${U}/login_by_password`, {
            email: c.email,
            password: "wrong-password",
          });
          if (r.body.code !== 602002003) limited = r;
        }
        assert.ok(limited, "the 11th attempt within a minute is refused");
        assert.equal(limited.status, 429);
        assert.equal(limited.body.code, 602000104);
        const right = await post(server, `${U}/login_by_password`, {
          email: c.email,
          password: c.password,
        });
        assert.equal(right.body.code, 602000104, "even the right password waits");
      });
    } finally {
      await server.stop();
    }
  },
});
