/**
 * Bad input on every route of the foundation: malformed JSON, missing fields, wrong types,
 * unknown enum values and unknown fields get `invalid param` (602000202) naming the field,
 * and change nothing; oversized bodies are refused without being read whole.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { post, registerUser } from "./_client.ts";

interface Case {
  path: string;
  method?: "POST" | "PUT" | "GET" | "DELETE";
  body: unknown;
  /** A field name the message must mention. */
  field: string;
}

Deno.test({
  name: "e2e bad input: every foundation route answers invalid param naming the field",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      const U = "/api/foundation/v1/users";
      const T = "/api/auth/v1/personal_access_tokens";
      const cases: Case[] = [
        { path: `${U}/register`, body: "{not json", field: "body" },
        { path: `${U}/register`, body: { email: "x@example.com" }, field: "password" },
        { path: `${U}/register`, body: { email: 42, password: "password-1" }, field: "email" },
        { path: `${U}/register`, body: { email: "nope", password: "password-1" }, field: "email" },
        {
          path: `${U}/register`,
          body: { email: "x@example.com", password: "password-1", admin: true },
          field: "admin",
        },
        {
          path: `${U}/register`,
          body: { email: "y@example.com", password: "short" },
          field: "password",
        },
        {
          path: `${U}/login_by_password`,
          body: { email: "x@example.com", password: 1 },
          field: "password",
        },
        { path: `${U}/login_by_password`, body: [], field: "body" },
        { path: `${U}/reset_password`, body: { email: a.email }, field: "password" },
        {
          path: `${U}/${a.userId}/update_profile`,
          method: "PUT",
          body: { nick_name: 5 },
          field: "nick_name",
        },
        {
          path: `${U}/${a.userId}/update_profile`,
          method: "PUT",
          body: { name: "bad name!" },
          field: "name",
        },
        { path: `${U}/abc/update_profile`, method: "PUT", body: {}, field: "user_id" },
        { path: "/api/foundation/v1/spaces/list", body: { page_size: 0 }, field: "page_size" },
        { path: "/api/foundation/v1/spaces/list", body: { page_size: "10" }, field: "page_size" },
        {
          path: "/api/foundation/v1/spaces/not-a-number",
          method: "GET",
          body: undefined,
          field: "space_id",
        },
        { path: T, body: { name: "t", duration_day: "7" }, field: "duration_day" },
        { path: T, body: { duration_day: "1" }, field: "name" },
        { path: T, body: { name: "t", expire_at: "soon" }, field: "expire_at" },
        { path: T, body: { name: "t", expire_at: "99999999999999999999999" }, field: "expire_at" },
        { path: `${T}/list`, body: { page_number: -1 }, field: "page_number" },
        { path: `${T}/xyz`, method: "GET", body: undefined, field: "id" },
        { path: `${T}/123`, method: "PUT", body: { name: 7 }, field: "name" },
        { path: `${T}/0`, method: "DELETE", body: undefined, field: "id" },
      ];
      for (const c of cases) {
        const r = await post(server, c.path, c.body, a, c.method ?? "POST");
        const label = `${c.method ?? "POST"} ${c.path} ${JSON.stringify(c.body)}`;
        assert.equal(r.status, 200, label);
        assert.equal(r.body.code, 602000202, `${label}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.msg, new RegExp(`invalid param: .*${c.field}`), label);
      }
      // Nothing was created by the refused calls.
      const tokens = await post(server, `${T}/list`, {}, a);
      assert.deepEqual(tokens.body.personal_access_tokens, []);
      const login = await post(server, `${U}/login_by_password`, {
        email: "x@example.com",
        password: "password-1",
      });
      assert.equal(login.body.code, 602002003, "the refused registrations made no account");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "e2e bad input: bodies over 20 MB are refused without being buffered",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer();
    try {
      const a = await registerUser(server);
      // Declared too large: refused from the headers, before any of the body is sent.
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(new URL(server.url).port),
      });
      await conn.write(new TextEncoder().encode(
        "POST /api/foundation/v1/spaces/list HTTP/1.1\r\nHost: x\r\n" +
          `Content-Type: application/json\r\nCookie: ${a.cookie}\r\n` +
          `Content-Length: ${25 << 20}\r\nConnection: close\r\n\r\n`,
      ));
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      conn.close();
      const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      assert.match(head, /^HTTP\/1\.1 413/, head);
      assert.match(head, /602001001/);
      // Streamed without a length: cut off once past the limit, long before 200 MB arrive.
      let sent = 0;
      const chunk = new Uint8Array(1 << 20).fill(0x20);
      const stream = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (sent >= 200) return ctrl.close();
          sent++;
          ctrl.enqueue(chunk);
        },
      });
      const streamed = await fetch(`${server.url}/api/foundation/v1/spaces/list`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: a.cookie },
        body: stream,
      });
      assert.equal(streamed.status, 413);
      assert.equal((await streamed.json()).code, 602001001);
      assert.ok(sent < 200, `the server stopped reading (${sent} MB of 200 pulled)`);
    } finally {
      await server.stop();
    }
  },
});
