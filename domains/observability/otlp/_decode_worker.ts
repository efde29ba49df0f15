/**
 * An OTLP decoding worker (decode_pool.ts starts it): runs decode_job.ts on the bodies it is
 * sent and hands back the packed messages (transferred, not copied). Its modules are all
 * under domains/observability/, the directory a sandboxed server may read for it.
 */
import { type OtlpJob, type OtlpJobResult, runOtlpJob } from "./decode_job.ts";
import { OtlpDecodeError, type OtlpDecodeErrorKind } from "./types.ts";

/** A job as the pool posts it. */
export interface DecodeTask {
  id: number;
  job: OtlpJob;
}

/** The worker's answer: the result, a decode error (the body's fault), or a failure. */
export type DecodeAnswer =
  | { id: number; result: OtlpJobResult }
  | { id: number; decodeError: { kind: OtlpDecodeErrorKind; message: string } }
  | { id: number; failure: string };

// The worker's global scope, typed here rather than with the worker lib (which would clash
// with the window types of the rest of the program when type-checked together).
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<DecodeTask>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = async (e: MessageEvent<DecodeTask>) => {
  const { id, job } = e.data;
  try {
    const result = await runOtlpJob(job);
    const buffers = result.groups.flatMap((g) => g.messages.map((m) => m.buffer));
    scope.postMessage({ id, result } satisfies DecodeAnswer, buffers as ArrayBuffer[]);
  } catch (err) {
    if (err instanceof OtlpDecodeError) {
      scope.postMessage(
        { id, decodeError: { kind: err.kind, message: err.message } } satisfies DecodeAnswer,
      );
    } else {
      scope.postMessage(
        { id, failure: String((err as Error)?.stack ?? err) } satisfies DecodeAnswer,
      );
    }
  }
};

scope.postMessage({ ready: true });
