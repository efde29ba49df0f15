/**
 * The workspace-isolation check every workspace-scoped route gets: the owner's call works,
 * and the same call by another user, on the owner's workspace, is refused with
 * `no permission` (602000101) and changes nothing visible to the owner.
 */
import assert from "node:assert/strict";
import type { ServerProcess } from "../_server.ts";
import { createToken, post, registerUser, type TestUser } from "./_client.ts";

/** One workspace-scoped call to check. */
export interface ScopedCall {
  /** Path, e.g. "/api/llm/v1/models/list". */
  path: string;
  method?: "POST" | "PUT" | "PATCH" | "DELETE" | "GET";
  /** Body for a call on `spaceId` (use the id as a string, as SDKs do). */
  body: (spaceId: string) => unknown;
  /** `cookie` for /api routes, `token` for /v1/loop routes. */
  auth: "cookie" | "token";
}

/** Checks that `call` works for the owner and is refused to an outsider. */
export async function assertWorkspaceIsolation(
  server: ServerProcess,
  call: ScopedCall,
  users?: { owner: TestUser; outsider: TestUser },
): Promise<void> {
  const owner = users?.owner ?? await registerUser(server);
  const outsider = users?.outsider ?? await registerUser(server);
  const authOf = async (u: TestUser) =>
    call.auth === "cookie" ? { cookie: u.cookie } : { token: await createToken(server, u.cookie) };
  const method = call.method ?? "POST";
  const mine = await post(server, call.path, call.body(owner.spaceId), await authOf(owner), method);
  assert.equal(mine.body.code, 0, `owner's call works: ${JSON.stringify(mine.body)}`);
  const theirs = await post(
    server,
    call.path,
    call.body(owner.spaceId),
    await authOf(outsider),
    method,
  );
  assert.equal(
    theirs.body.code,
    602000101,
    `outsider refused on ${call.path}: ${JSON.stringify(theirs.body)}`,
  );
}
