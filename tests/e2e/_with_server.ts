/**
 * The frame of an end-to-end test: a fresh server, a registered user with its workspace, a
 * second user (a stranger to that workspace, for isolation checks), and the server stopped
 * at the end whatever happens.
 */
import { type ServerProcess, startServer } from "../_server.ts";
import { post, registerUser, type TestUser } from "./_client.ts";

/** What a test body gets. */
export interface ServerTestContext {
  server: ServerProcess;
  /** The user the test acts as. */
  u: TestUser;
  /** Another user, not a member of u's workspace. */
  other: TestUser;
  /** `{workspace_id}` of u's workspace, for request bodies. */
  ws: { workspace_id: string };
  /** `workspace_id=<u's workspace>`, for query strings. */
  q: string;
  /** A request as u (POST with a JSON body unless `method` says otherwise). */
  call: (path: string, body?: unknown, method?: string) => ReturnType<typeof post>;
}

/** Registers a Deno test that runs `fn` against a fresh server (see ServerTestContext). */
export function serverTest(
  name: string,
  fn: (t: Deno.TestContext, x: ServerTestContext) => Promise<void>,
): void {
  Deno.test({
    name,
    // The server is a child process; its streams outlive single steps.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const server = await startServer();
      try {
        const u = await registerUser(server);
        const other = await registerUser(server);
        await fn(t, {
          server,
          u,
          other,
          ws: { workspace_id: u.spaceId },
          q: `workspace_id=${u.spaceId}`,
          call: (path, body, method = "POST") => post(server, path, body, u, method),
        });
      } finally {
        await server.stop();
      }
    },
  });
}
