/**
 * The outer half of a sandbox runner: a Web Worker the pool starts with no permission but
 * reading this directory and the engine's package (given per worker, see mod.ts). Its only
 * job is to start the inner engine thread, a node:worker_threads Worker, because only those
 * take V8 heap limits (`resourceLimits`): a Web Worker that exhausts its heap aborts the whole
 * process. The inner thread shares this worker's (empty) permissions. Messages are relayed;
 * `{kill}` ends the engine thread (terminating this worker alone would not).
 */
import { Worker as NodeWorker } from "node:worker_threads";
import type { RunnerInit } from "./_protocol.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

let inner: NodeWorker | undefined;

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as { init?: RunnerInit & { heapMb: number } };
  if (m.init && !inner) {
    inner = new NodeWorker(new URL("./_worker_inner.ts", import.meta.url), {
      workerData: m.init,
      env: {},
      resourceLimits: {
        maxOldGenerationSizeMb: m.init.heapMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.floor(m.init.heapMb / 8)),
      },
    });
    inner.on("message", (msg: unknown) => scope.postMessage(msg));
    inner.on("error", (err: Error) => scope.postMessage({ failed: String(err?.message ?? err) }));
    inner.on("exit", (code: number) => scope.postMessage({ failed: `engine exited (${code})` }));
    return;
  }
  if ((e.data as { kill?: boolean }).kill) {
    // Terminating this worker would leave the engine thread running: end it first.
    const done = () => scope.postMessage({ killed: true });
    inner ? inner.terminate().then(done, done) : done();
    return;
  }
  inner?.postMessage(e.data);
};
