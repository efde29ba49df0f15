/**
 * A password-hashing worker (password_workers.ts starts it): argon2id hashes and verifies one
 * task at a time, off the server's event loop. It imports no local module, so that inside the
 * permission sandbox it needs read access to this one file only; the parameters come with
 * each task.
 */
import { argon2id, argon2Verify } from "hash-wasm";

/** A task from the pool. */
export interface HashTask {
  id: number;
  op: "hash" | "verify";
  password: string;
  /** The stored hash, for "verify". */
  hash?: string;
  params: { memorySize: number; iterations: number; parallelism: number; hashLength: number };
}

/** The worker's answer to a task (`value`: the hash, or whether it matched), or its failure. */
export type HashAnswer = { id: number; value: string | boolean } | { id: number; error: string };

async function run(task: HashTask): Promise<string | boolean> {
  if (task.op === "hash") {
    return await argon2id({
      password: task.password,
      salt: crypto.getRandomValues(new Uint8Array(16)),
      ...task.params,
      outputType: "encoded",
    });
  }
  try {
    return await argon2Verify({ password: task.password, hash: task.hash ?? "" });
  } catch {
    return false; // a malformed stored hash matches nothing
  }
}

// The worker's global scope, typed here rather than with the worker lib (which would clash
// with the window types of the rest of the program when type-checked together).
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<HashTask>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e: MessageEvent<HashTask>) => {
  const task = e.data;
  let answer: HashAnswer;
  try {
    answer = { id: task.id, value: await run(task) };
  } catch (err) {
    answer = { id: task.id, error: err instanceof Error ? err.message : String(err) };
  }
  scope.postMessage(answer);
};

// Loaded (this module and hash-wasm): the pool can count on this worker.
scope.postMessage({ ready: true });
