/** Helpers of the SQLite queue tests: a temp directory, queue files, subprocesses. */
import type { MessageQueue, ReceivedMessage } from "../../infra/mq/mod.ts";

/** The directory of this test run's queue files (removed when the process ends). */
export const dir = Deno.makeTempDirSync({ prefix: "mq_sqlite_test_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* already gone */ }
});

const MODULE = new URL("../../infra/mq/sqlite.ts", import.meta.url).href;
let files = 0;

/** A fresh queue file in the temp directory. */
export function tempFile(): string {
  return `${dir}/t${++files}.db`;
}

/** Runs `code` (JavaScript, with `createSqliteQueue` in scope) in another Deno process. */
export function spawnProcess(
  code: string,
): { proc: Deno.ChildProcess; lines: AsyncGenerator<string> } {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { createSqliteQueue } from ${JSON.stringify(MODULE)};\n${code}`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return { proc, lines: readLines(proc.stdout) };
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf) yield buf;
}

/** Reads lines until one matches; returns it (the rest stays readable, unlike for-await). */
export async function until(lines: AsyncGenerator<string>, re: RegExp): Promise<string> {
  for (let r = await lines.next(); !r.done; r = await lines.next()) {
    if (re.test(r.value)) return r.value;
  }
  throw new Error(`The process ended before printing ${re}`);
}

/** A test of the SQLite queue (subprocesses and timers outlive assertions). */
export function sqliteTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: `mq sqlite: ${name}`, sanitizeOps: false, sanitizeResources: false, fn });
}

/** Collects what a group receives (from the beginning) until stopped. */
export async function collect(q: MessageQueue, topic: string, group = "check") {
  const got: ReceivedMessage[] = [];
  const worker = await q.consume({
    topic,
    group,
    handler: (m) => (got.push(m), Promise.resolve()),
  });
  return { got, worker };
}
