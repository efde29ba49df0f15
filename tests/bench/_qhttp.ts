// Starts a server on a copy of a kept bench data directory, logs in as its user and times
// the bench's two searches over HTTP: `_qhttp.ts <kept dir>` (RUNS=50, ROUNDS=1).
import { sandboxedCommand } from "../../launch.ts";
import { freePort, spawnServer, withoutServices } from "../_server.ts";
import { searchSpans } from "./otlp_server.ts";
const src = Deno.args[0];
const dataDir = await Deno.makeTempDir({ prefix: "qx-http-" });
await new Deno.Command("cp", { args: ["-r", `${src}/.`, dataDir] }).output();
const email = new TextDecoder().decode(
  (await new Deno.Command("sqlite3", {
    args: [`${dataDir}/loop.sqlite`, "select email from users where email like '%example.com'"],
  }).output()).stdout,
).trim();
const port = await freePort();
const base = {
  COZE_LOOP_SESSION_SECRET: "bench-session-secret-for-the-otlp-benchmark",
  ...Deno.env.toObject(),
  PORT: String(port),
  HOST: "127.0.0.1",
};
const command = await sandboxedCommand({ ...withoutServices(base), COZE_LOOP_DATA_DIR: dataDir });
const server = await spawnServer({
  command: Deno.execPath(),
  args: command.args,
  env: command.env,
  port,
  mode: "embedded",
  dataDir,
  timeoutMs: 120_000,
});
try {
  const url = server.url;
  const lr = await fetch(`${url}/api/foundation/v1/users/login_by_password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "password-123" }),
  });
  const cookie = (lr.headers.get("set-cookie") ?? "").split(";")[0];
  await lr.body?.cancel();
  const sp = await (await fetch(`${url}/api/foundation/v1/spaces/list`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: "{}",
  })).json();
  const space = sp.spaces[0].id;
  const tk = await (await fetch(`${url}/api/auth/v1/personal_access_tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ name: "t", duration_day: "1" }),
  })).json();
  const token = tk.token;
  const window = {
    start_time: String(Date.now() - 3 * 86_400_000),
    end_time: String(Date.now() + 600_000),
  };
  const q = (filter: Record<string, unknown>) => ({
    workspace_id: space,
    ...window,
    span_list_type: "root_span",
    page_size: 50,
    filters: { filter_fields: [filter] },
  });
  const bodies = {
    err: q({ field_name: "status", query_type: "eq", values: ["error"] }),
    user: q({ field_name: "user_id", query_type: "eq", values: ["user-7"] }),
  };
  const runs = Number(Deno.env.get("RUNS") ?? 50);
  for (let round = 0; round < Number(Deno.env.get("ROUNDS") ?? 1); round++) {
    for (const [name, body] of Object.entries(bodies)) {
      const times: number[] = [];
      let n = 0;
      for (let i = 0; i < runs + 3; i++) {
        const t0 = performance.now();
        const page = await searchSpans(url, token, body);
        if (i >= 3) times.push(performance.now() - t0);
        n = page.spans.length;
      }
      times.sort((a, b) => a - b);
      const qn = (p: number) =>
        times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
      console.log(`${name}: p50 ${qn(0.5)} p99 ${qn(0.99)} spans ${n}`);
    }
  }
} finally {
  await server.stop();
  console.error(
    server.logs().split("\n").filter((l) => /error|warn/i.test(l)).slice(0, 5).join("\n"),
  );
}
