/**
 * W3C trace context as the SDKs send it on prompt execution (`X-Cozeloop-Traceparent`,
 * `version-traceid-parentid-flags`), so that the server's span joins the caller's trace.
 */

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The caller's trace and span from a traceparent header; undefined when absent or invalid. */
export function parseTraceparent(
  header: string | null | undefined,
): { traceId: string; spanId: string } | undefined {
  const m = TRACEPARENT.exec((header ?? "").trim().toLowerCase());
  // Version ff is invalid; all-zero ids mean "no trace" (W3C Trace Context, section 3.2).
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  return { traceId: m[2], spanId: m[3] };
}
