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
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api_?key|session_key/i;

/** Creates a logger writing JSON lines to `write` (stderr by default). */
export function createLogger(
  options: {
    level?: LogLevel;
    bindings?: Record<string, unknown>;
    write?: (line: string) => void;
  } = {},
): Logger {
  return new JsonLogger(
    ORDER[options.level ?? "info"],
    options.write ?? ((line: string) => console.error(line)),
    options.bindings ?? {},
  );
}

// A class, so that child() (one per request) is a single small allocation.
class JsonLogger implements Logger {
  constructor(
    private readonly min: number,
    private readonly write: (line: string) => void,
    private readonly bindings: Record<string, unknown>,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.emit("debug", msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.emit("info", msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.emit("warn", msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.emit("error", msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.min, this.write, { ...this.bindings, ...fields });
  }

  private emit(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < this.min) return;
    const record = { time: new Date().toISOString(), level, msg, ...this.bindings, ...fields };
    this.write(JSON.stringify(sanitize(record, 0)));
  }
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
