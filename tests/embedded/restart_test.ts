/**
 * Embedded mode keeps its data across restarts, kill -9 included: accounts, web sessions,
 * tokens, prompts, traces (also spans acknowledged just before the kill, not yet written),
 * and files.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";
import { post } from "../e2e/_client.ts";
import { hexId, sdkSpan } from "../e2e/_traces.ts";
import { assertFile, assertPrompt, assertTrace, sdkFlow } from "./_flow.ts";

Deno.test({
  name: "embedded: everything survives kill -9 and a restart on the same data directory",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const first = await startServer({}, { mode: "embedded", keepData: true });
    const dataDir = first.dataDir!;
    let state;
    let lateTrace: string;
    try {
      state = await sdkFlow(first);
      // Acknowledged, then the process dies before the writer has had its turn.
      lateTrace = hexId(16);
      const spans = ["root", "llm"].map((span_name, i) =>
        sdkSpan({
          workspace_id: state!.user.spaceId,
          trace_id: lateTrace,
          parent_id: i ? hexId(8) : "0",
          span_name,
        })
      );
      const ack = await post(first, "/v1/loop/traces/ingest", { spans }, { token: state.token });
      assert.equal(ack.body.code, 0, JSON.stringify(ack.body));
    } finally {
      await first.stop("SIGKILL");
    }

    const second = await startServer({}, { mode: "embedded", dataDir });
    try {
      const session = await post(
        second,
        "/api/foundation/v1/users/session",
        undefined,
        state.user,
        "GET",
      );
      assert.equal(
        session.body.code,
        0,
        `the web session survived: ${JSON.stringify(session.body)}`,
      );
      const login = await post(second, "/api/foundation/v1/users/login_by_password", {
        email: state.user.email,
        password: state.user.password,
      });
      assert.equal(login.body.code, 0, `the account is there: ${JSON.stringify(login.body)}`);
      await assertPrompt(second, state.token, state.user.spaceId, state.promptKey);
      await assertTrace(second, state.token, state.user.spaceId, state.traceId);
      await assertTrace(second, state.token, state.user.spaceId, lateTrace);
      await assertFile(second, state.user, state.fileKey, state.fileText);
      assert.doesNotMatch(second.logs(), /first account was created/, "no second first account");
    } finally {
      await second.stop();
    }
  },
});
