/**
 * Runs the real server (`main.ts`) as a subprocess on a free port, as users do, for
 * end-to-end and fault tests.
 */
import { sleep } from "./_env.ts";

/** A server subprocess. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Everything the server wrote to stderr so far (its JSON log). */
  logs(): string;
  /** SIGTERM and wait; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

const ROOT = new URL("..", import.meta.url).pathname;

/** Starts `main.ts` with the test environment plus `env`; resolves once it listens. */
export async function startServer(
  env: Record<string, string> = {},
  options: { timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: ROOT,
    // Instances of one deployment share the session secret, as they must.
    env: {
      COZE_LOOP_SESSION_SECRET: "test-session-secret-shared-by-test-servers",
      ...Deno.env.toObject(),
      PORT: String(port),
      HOST: "127.0.0.1",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) log += chunk;
  };
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    child,
    logs: () => log,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await done;
      return status.code;
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
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
  throw new Error(`Server did not start within ${options.timeoutMs ?? 60_000} ms:\n${log}`);
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
