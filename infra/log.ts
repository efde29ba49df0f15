/**
 * Structured JSON-lines logger. One line per event with a level, a message and fields;
 * `child()` binds fields such as the request id. Keys that look like secrets are redacted.
 */

/** Severity, in increasing order. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The logging surface every module receives (never a global). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** The access-log line of one request, at info level (a fixed shape, formatted cheaply). */
  access(fields: AccessFields): void;
}

/** What an access-log line says about a request. */
export interface AccessFields {
  /** Only [A-Za-z0-9._-] (what the request-id middleware accepts or makes). */
  request_id: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  user_id?: bigint;
  /** The error code of a failed request. */
  code?: number;
  /** Why a request was refused (our own message: never input or a credential). */
  reason?: string;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api_?key|session_key/i;

/** Creates a logger writing JSON lines to `write` (stderr, buffered, by default). */
export function createLogger(
  options: {
    level?: LogLevel;
    bindings?: Record<string, unknown>;
    write?: (line: string) => void;
  } = {},
): Logger {
  return new JsonLogger(
    ORDER[options.level ?? "info"],
    options.write ?? stderrLines(),
    options.bindings ? encodeFields(options.bindings) : "",
  );
}

// A class, so that child() (one per request) is a single small allocation. Bound fields are
// kept already encoded: a line is one string concatenation, not a merged and re-walked object.
class JsonLogger implements Logger {
  constructor(
    private readonly min: number,
    private readonly write: (line: string) => void,
    private readonly bound: string,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.debug >= this.min) this.emit("debug", msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.info >= this.min) this.emit("info", msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.warn >= this.min) this.emit("warn", msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    if (ORDER.error >= this.min) this.emit("error", msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.min, this.write, this.bound + encodeFields(fields));
  }
  access(f: AccessFields): void {
    if (ORDER.info < this.min) return;
    // One template: every request writes this line, and the generic path walks each field.
    this.write(
      `{"time":"${
        new Date().toISOString()
      }","level":"info","msg":"request"${this.bound},"request_id":"${f.request_id}","method":${
        JSON.stringify(f.method)
      },"path":${JSON.stringify(f.path)},"status":${f.status},"latency_ms":${f.latency_ms}${
        f.user_id === undefined ? "" : `,"user_id":"${f.user_id}"`
      }${f.code === undefined ? "" : `,"code":${f.code}`}${
        f.reason === undefined ? "" : `,"reason":${JSON.stringify(f.reason)}`
      }}`,
    );
  }

  private emit(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    this.write(
      `{"time":"${new Date().toISOString()}","level":"${level}","msg":${
        JSON.stringify(msg)
      }${this.bound}${fields ? encodeFields(fields) : ""}}`,
    );
  }
}

// `,"key":value` for every defined field, secrets redacted.
function encodeFields(fields: Record<string, unknown>): string {
  let out = "";
  for (const key in fields) {
    const v = fields[key];
    if (v === undefined) continue;
    out += keyPrefix(key) + encodeValue(key, v, 0);
  }
  return out;
}

// Log keys repeat endlessly (the same few per request): encode each once.
const prefixes = new Map<string, string>();
function keyPrefix(key: string): string {
  let p = prefixes.get(key);
  if (p === undefined) {
    p = `,${JSON.stringify(key)}:`;
    if (prefixes.size < 10_000) prefixes.set(key, p);
  }
  return p;
}

function encodeValue(key: string, v: unknown, depth: number): string {
  if (v === null) return "null";
  if (isSecret(key)) return '"[redacted]"';
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return `"${v}"`;
    case "string":
      return JSON.stringify(v);
  }
  if (v instanceof Error) return JSON.stringify({ name: v.name, message: v.message });
  if (typeof v === "object" && !Array.isArray(v) && depth < 3) {
    return JSON.stringify(sanitize(v as Record<string, unknown>, depth + 1));
  }
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
  } catch {
    return '"[unserializable]"';
  }
}

/**
 * Lines to stderr, written in batches: a line waits at most until the current macrotask
 * ends (or until 64 KiB are pending), so a busy server makes one write per batch instead of
 * one synchronous console call per line. Pending lines are written when the process exits.
 */
function stderrLines(): (line: string) => void {
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const bytes = encoder.encode(pending.join("\n") + "\n");
    pending = [];
    size = 0;
    try {
      for (let off = 0; off < bytes.length;) off += Deno.stderr.writeSync(bytes.subarray(off));
    } catch { /* stderr closed: nowhere left to report it */ }
  };
  globalThis.addEventListener("unload", flush);
  return (line) => {
    pending.push(line);
    size += line.length;
    if (size >= 65_536) flush();
    else if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 0);
    }
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ write: () => {} });

// Log keys repeat endlessly (the same few per request): decide once per key.
const secretKeys = new Map<string, boolean>();
function isSecret(key: string): boolean {
  let s = secretKeys.get(key);
  if (s === undefined) {
    s = SECRET_KEY.test(key);
    if (secretKeys.size < 10_000) secretKeys.set(key, s);
  }
  return s;
}

// A plain pass instead of a JSON.stringify replacer: replacers take V8 off its fast path, and
// this runs for every request's access-log line.
function sanitize(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v === undefined) continue;
    if (v !== null && isSecret(key)) out[key] = "[redacted]";
    else if (typeof v === "bigint") out[key] = v.toString();
    else if (v instanceof Error) out[key] = { name: v.name, message: v.message };
    else if (v !== null && typeof v === "object" && !Array.isArray(v) && depth < 3) {
      out[key] = sanitize(v as Record<string, unknown>, depth + 1);
    } else out[key] = v;
  }
  return out;
}
