/**
 * Runs the real server (`main.ts`) as a subprocess on a free port, as users do, for
 * end-to-end and fault tests. Two modes (COZE_LOOP_TEST_MODE): `real` (default) points it at
 * the real services; `embedded` gives it no service at all, a fresh data directory, and runs
 * it inside the permission sandbox exactly as `deno task dev` does.
 */
import { sleep } from "./_env.ts";
import { sandboxedCommand } from "../launch.ts";

/** Which infrastructure the end-to-end servers use. */
export type TestMode = "real" | "embedded";

/** The mode of this test run. */
export function testMode(): TestMode {
  return Deno.env.get("COZE_LOOP_TEST_MODE") === "embedded" ? "embedded" : "real";
}

// The variables that select real services; an embedded server gets none of them.
const SERVICE_VARIABLE = /^COZE_LOOP_(MYSQL|REDIS|CLICKHOUSE|OSS)_|^COZE_LOOP_KAFKA_BROKERS$/;

/** The environment without any real service. */
export function withoutServices(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !SERVICE_VARIABLE.test(k)));
}

/** A server subprocess. */
export interface ServerProcess {
  url: string;
  mode: TestMode;
  /** Its data directory (embedded mode): removed by stop() unless `keepData` was asked. */
  dataDir?: string;
  child: Deno.ChildProcess;
  /** Everything the server wrote to stderr so far (its JSON log). */
  logs(): string;
  /** SIGTERM and wait; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * Starts `main.ts` with the test environment plus `env`; resolves once it listens. In
 * embedded mode a fresh data directory is used unless `dataDir` names one (a restart).
 */
export async function startServer(
  env: Record<string, string> = {},
  options: {
    timeoutMs?: number;
    mode?: TestMode;
    dataDir?: string;
    keepData?: boolean;
    /** Real mode: run inside the permission sandbox too (embedded mode always is). */
    sandbox?: boolean;
  } = {},
): Promise<ServerProcess> {
  const mode = options.mode ?? testMode();
  const port = await freePort();
  const base = {
    // Instances of one deployment share the session secret, as they must.
    COZE_LOOP_SESSION_SECRET: "test-session-secret-shared-by-test-servers",
    // The whole suite registers its users from 127.0.0.1, sharing one limit in Redis.
    COZE_LOOP_REGISTER_PER_MINUTE: "100000",
    ...Deno.env.toObject(),
    PORT: String(port),
    HOST: "127.0.0.1",
    ...env,
  };
  let args = ["run", "--allow-all", "main.ts"];
  let childEnv: Record<string, string> = base;
  let dataDir: string | undefined;
  if (mode === "embedded" || options.sandbox) {
    dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "coze-loop-e2e-" });
    // Embedded: no service from the test environment, only those `env` names itself.
    const command = await sandboxedCommand({
      ...(mode === "embedded" ? { ...withoutServices(base), ...env } : base),
      COZE_LOOP_DATA_DIR: dataDir,
    });
    args = command.args;
    childEnv = command.env;
  }
  return await spawnServer({
    command: Deno.execPath(),
    args,
    env: childEnv,
    port,
    mode,
    dataDir,
    keepData: options.keepData,
    timeoutMs: options.timeoutMs,
  });
}

/**
 * Runs a command that starts the server (in the project directory, with exactly `env`) and
 * resolves once it listens on `port`; stop() ends it and, unless `keepData`, removes
 * `dataDir`.
 */
export async function spawnServer(o: {
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  mode: TestMode;
  dataDir?: string;
  keepData?: boolean;
  timeoutMs?: number;
  /**
   * Signal every process the command started too (`deno task` does not pass signals on to
   * the process it runs).
   */
  signalTree?: boolean;
  /** Working directory (default: the project). */
  cwd?: string;
}): Promise<ServerProcess> {
  const child = new Deno.Command(o.command, {
    args: o.args,
    cwd: o.cwd ?? ROOT,
    env: o.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) log += chunk;
  };
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const url = `http://127.0.0.1:${o.port}`;
  const server: ServerProcess = {
    url,
    mode: o.mode,
    dataDir: o.dataDir,
    child,
    logs: () => log,
    async stop(signal: Deno.Signal = "SIGTERM") {
      const targets = o.signalTree ? descendants(child.pid) : [];
      for (const pid of targets) {
        try {
          Deno.kill(pid, signal);
        } catch { /* already gone */ }
      }
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await done;
      if (o.dataDir && !o.keepData) await Deno.remove(o.dataDir, { recursive: true });
      return status.code;
    },
  };
  const timeoutMs = o.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (log.includes('"msg":"listening"')) return server;
    const exited = await Promise.race([
      child.status.then(() => true),
      sleep(100).then(() => false),
    ]);
    if (exited) {
      await done;
      throw new Error(`Server exited during start-up:\n${log}`);
    }
  }
  await server.stop("SIGKILL");
  throw new Error(`Server did not start within ${timeoutMs} ms:\n${log}`);
}

/** Every process below `pid` (Linux /proc), deepest last. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let children: number[] = [];
    try {
      children = Deno.readTextFileSync(`/proc/${p}/task/${p}/children`).trim().split(/\s+/)
        .filter(Boolean).map(Number);
    } catch { /* gone */ }
    for (const c of children) {
      out.push(c);
      visit(c);
    }
  };
  visit(pid);
  return out;
}

/**
 * Another server process of the same deployment as `server` (real mode: sharing its
 * services), for tests of what must reach every process. Embedded mode is one process by
 * design, so the peer is `server` itself (stopping it does nothing).
 */
export async function startPeer(
  server: ServerProcess,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  if (server.mode === "real") return await startServer(env, { mode: "real" });
  return { ...server, stop: () => Promise.resolve(0) };
}

/** Runs `main.ts` to completion (for start-up failures); returns its exit code and output. */
export async function runServerToExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: ROOT,
    env: { ...Deno.env.toObject(), PORT: String(await freePort()), ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await sleep(0);
  return port;
}
