// The ClickHouse engine (npm `chdb`) behind one serialized queue.
//
// chdb binds one data directory per process. A `Session` keeps that directory bound for the
// life of the server; every request then runs on its own short-lived native connection to the
// same directory, so `USE`, `SET` and temporary tables of one request never leak into the next
// (a connection costs ~1 ms). Requests carrying a `session_id` keep their connection, which is
// what ClickHouse's HTTP sessions are: settings and temporary tables that survive between
// requests.
//
// We call the native addon directly rather than `Session.queryBindAsync`: that helper formats
// JS values into ClickHouse's parameter text and would escape a second time the `param_*`
// values, which the HTTP client already sent in that text form (`['a','b']`, `a\'b`). The
// native binder takes `{name: text}` and lets the engine parse each value as the placeholder's
// declared type, so values never enter the SQL text. The addon is loaded through chdb's own
// loader (a relative require inside the pinned package) so the platform package it picks is
// the same one `chdb` itself uses.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const chdbMain = require.resolve("chdb");
const { Session } = require(chdbMain);
const native = createRequire(chdbMain)("./dist/loader.js").loadNative();

// Settings where chdb's embedded defaults differ from a ClickHouse server's; applied to every
// new connection. (`implicit_select` would run a bare `1+1` as a SELECT.)
const SERVER_PROFILE = { implicit_select: "0" };

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `INSERT ... FORMAT X` with the rows in the request body (leading comments allowed).
const INSERT_WITH_DATA =
  /^\s*(?:(?:--|#)[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*INSERT\b[\s\S]*\bFORMAT\s+\w+\s*$/i;

export class EngineError extends Error {
  constructor(code, type, message) {
    super(`Code: ${code}. DB::Exception: ${message}. (${type})`);
    this.code = code;
  }
}

const quoteString = (s) => `'${String(s).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const quoteIdent = (s) => `\`${String(s).replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;

function setStatement(settings) {
  const parts = [];
  for (const [name, value] of Object.entries(settings)) {
    if (!SETTING_NAME.test(name)) {
      throw new EngineError(115, "UNKNOWN_SETTING", `Unknown setting '${name}'`);
    }
    parts.push(`${name} = ${quoteString(value)}`);
  }
  return parts.length ? `SET ${parts.join(", ")}` : null;
}

export class Engine {
  #dataDir;
  #session;
  #queue = Promise.resolve();
  #sessions = new Map(); // session_id -> { conn, timer, timeoutMs }
  version = "unknown";

  constructor(dataDir) {
    this.#dataDir = dataDir;
    this.#session = new Session(dataDir); // throws when another process holds the directory
  }

  async init() {
    const r = await this.#enqueue(() =>
      native.QueryAsyncConnection(this.#session.connection, "SELECT version()", "TSV")
    );
    this.version = Buffer.from(r.bytes).toString().trim();
  }

  // Runs one HTTP request's statement. `body` (Buffer) is the request body: for an
  // `INSERT ... FORMAT X` without parameters it goes to the engine as raw bytes (no per-row
  // work in JS, binary formats stay intact); otherwise it is appended to the query text after a
  // newline, as ClickHouse does with the `query` parameter and the POST body.
  run(
    {
      query,
      body,
      params,
      database,
      settings,
      format,
      sessionId,
      sessionTimeoutMs,
      sessionCheck,
      closeSession,
    },
  ) {
    return this.#enqueue(async () => {
      const conn = await this.#connection(sessionId, sessionTimeoutMs, sessionCheck);
      try {
        if (database) await native.QueryAsyncConnection(conn, `USE ${quoteIdent(database)}`, "TSV");
        const set = setStatement(settings);
        if (set) await native.QueryAsyncConnection(conn, set, "TSV");
        const hasParams = Object.keys(params).length > 0;
        if (body.length > 0 && query && !hasParams && INSERT_WITH_DATA.test(query)) {
          const r = await native.InsertRawAsyncConnection(conn, query, body, false);
          return {
            bytes: Buffer.alloc(0),
            elapsed: r.elapsed,
            rowsWritten: r.rowsWritten,
            bytesWritten: r.bytesWritten,
          };
        }
        // A server inserts zero rows from an empty body; the embedded engine would raise
        // NO_DATA_TO_INSERT (a client-side error of clickhouse-client) instead.
        if (body.length === 0 && INSERT_WITH_DATA.test(query)) {
          return { bytes: Buffer.alloc(0), elapsed: 0 };
        }
        const sql = body.length === 0
          ? query
          : query
          ? `${query}\n${body.toString("utf8")}`
          : body.toString("utf8");
        if (!sql.trim()) throw new EngineError(62, "SYNTAX_ERROR", "Empty query");
        const r = hasParams
          ? await native.QueryAsyncConnection(conn, sql, format, params)
          : await native.QueryAsyncConnection(conn, sql, format);
        return {
          bytes: Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
          elapsed: r.elapsed,
          rowsRead: r.rowsRead,
          bytesRead: r.bytesRead,
        };
      } finally {
        if (!sessionId) native.CloseConnection(conn);
        else if (closeSession) this.#dropSession(sessionId);
        else this.#touchSession(sessionId);
      }
    });
  }

  // Waits for queued work, then releases every connection and the data directory.
  async close() {
    await this.#enqueue(async () => {
      for (const id of [...this.#sessions.keys()]) this.#dropSession(id);
      this.#session.close();
    });
  }

  // One engine operation at a time: the embedded engine's parameter binding is process-wide
  // state, and serializing also keeps DDL and inserts strictly ordered as tests expect.
  #enqueue(fn) {
    const p = this.#queue.then(fn);
    this.#queue = p.then(() => {}, () => {});
    return p;
  }

  async #connection(sessionId, timeoutMs, check) {
    const existing = sessionId && this.#sessions.get(sessionId);
    if (existing) {
      existing.timeoutMs = timeoutMs;
      return existing.conn;
    }
    if (sessionId && check) {
      throw new EngineError(372, "SESSION_NOT_FOUND", `Session ${sessionId} not found`);
    }
    const conn = native.CreateConnection(this.#dataDir);
    try {
      await native.QueryAsyncConnection(conn, setStatement(SERVER_PROFILE), "TSV");
    } catch (e) {
      native.CloseConnection(conn);
      throw e;
    }
    if (sessionId) this.#sessions.set(sessionId, { conn, timer: null, timeoutMs });
    return conn;
  }

  // Sessions expire after `session_timeout` seconds without a request, as on a server. The
  // expiry runs through the queue so a connection is never closed under a running query.
  #touchSession(id) {
    const s = this.#sessions.get(id);
    if (!s) return;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => this.#enqueue(() => this.#dropSession(id)), s.timeoutMs);
    s.timer.unref();
  }

  #dropSession(id) {
    const s = this.#sessions.get(id);
    if (!s) return;
    clearTimeout(s.timer);
    this.#sessions.delete(id);
    native.CloseConnection(s.conn);
  }
}
