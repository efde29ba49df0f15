// Test-only HTTP endpoint that speaks the parts of ClickHouse's HTTP interface used by
// @clickhouse/client, in front of the embedded ClickHouse engine (npm `chdb`). No modern
// ClickHouse server can be installed on our machines (no Docker; Debian ships 18.16), so this
// gives tests real ClickHouse SQL over real HTTP. Started by scripts/services/clickhouse.sh.
//
// Environment: CHDB_DATA_DIR (required; one process per directory), CHDB_PORT (8123),
// CHDB_HOST (127.0.0.1), CHDB_PASSWORD (password of user `default`, empty by default),
// CHDB_LOG_QUERIES=1 to log every query.
import http from "node:http";
import os from "node:os";
import zlib from "node:zlib";
import { promisify } from "node:util";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";

// The engine reads TZ when it loads; a ClickHouse server in our deployments runs in UTC.
process.env.TZ = "UTC";
const { Engine, EngineError } = await import("./engine.mjs");

const DATA_DIR = process.env.CHDB_DATA_DIR;
const PORT = Number(process.env.CHDB_PORT || 8123);
const HOST = process.env.CHDB_HOST || "127.0.0.1";
const PASSWORD = process.env.CHDB_PASSWORD || "";
const LOG_QUERIES = process.env.CHDB_LOG_QUERIES === "1";
const DISPLAY_NAME = os.hostname();

// URL parameters the HTTP layer consumes; every other parameter is a setting for the query.
const RESERVED = new Set([
  "query",
  "database",
  "default_format",
  "query_id",
  "session_id",
  "session_timeout",
  "session_check",
  "close_session",
  "user",
  "password",
  "quota_key",
  "stacktrace",
  "role",
  "buffer_size",
  "wait_end_of_query",
  "compress",
  "decompress",
  "client_protocol_version",
  "with_stacktrace",
]);
// Settings only the HTTP layer acts on (the engine ignores or does not know them).
const HTTP_SETTINGS = new Set([
  "enable_http_compression",
  "http_zlib_compression_level",
  "http_wait_end_of_query",
]);

const DECODERS = {
  gzip: promisify(zlib.gunzip),
  "x-gzip": promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};
const ENCODERS = {
  gzip: promisify(zlib.gzip),
  deflate: promisify(zlib.deflate),
  br: promisify(zlib.brotliCompress),
};

// Exception name -> HTTP status, as in ClickHouse's src/Server/HTTP/exceptionCodeToHTTPStatus.cpp
// (matched on the `(NAME)` the engine puts at the end of every message; anything else is 500).
const STATUS_BY_NAME = new Map([
  ["REQUIRED_PASSWORD", 401],
  ..."UNKNOWN_USER WRONG_PASSWORD AUTHENTICATION_FAILED SET_NON_GRANTED_ROLE ACCESS_DENIED".split(
    " ",
  ).map((n) => [n, 403]),
  ...("BAD_ARGUMENTS CANNOT_COMPILE_REGEXP CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE CANNOT_PARSE_QUOTED_STRING " +
    "CANNOT_PARSE_DATE CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING CANNOT_PARSE_IPV4 " +
    "CANNOT_PARSE_IPV6 CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_UUID DUPLICATE_COLUMN ILLEGAL_COLUMN " +
    "UNKNOWN_ELEMENT_IN_AST UNKNOWN_TYPE_OF_AST_NODE THERE_IS_NO_COLUMN TOO_DEEP_AST TOO_BIG_AST UNEXPECTED_AST_STRUCTURE " +
    "SYNTAX_ERROR INCORRECT_DATA TYPE_MISMATCH VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE").split(" ").map((
      n,
    ) => [n, 400]),
  ...("UNKNOWN_TABLE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE UNKNOWN_STORAGE UNKNOWN_DATABASE UNKNOWN_SETTING " +
    "UNKNOWN_DIRECTION_OF_SORTING UNKNOWN_AGGREGATE_FUNCTION UNKNOWN_FORMAT UNKNOWN_DATABASE_ENGINE UNKNOWN_TYPE_OF_QUERY " +
    "UNKNOWN_ROLE").split(" ").map((n) => [n, 404]),
  ["QUERY_IS_TOO_LARGE", 413],
  ["NOT_IMPLEMENTED", 501],
  ["SOCKET_TIMEOUT", 503],
  ["CANNOT_OPEN_FILE", 503],
  ["HTTP_LENGTH_REQUIRED", 411],
  ["TIMEOUT_EXCEEDED", 408],
  ["CANNOT_SCHEDULE_TASK", 503],
  ["UNSUPPORTED_MEDIA_TYPE", 415],
]);
const errorName = (message) =>
  /\(([A-Z][A-Z0-9_]{2,})\)(?:\s*\(version [^)]*\))?\s*$/.exec(message)?.[1];

const CONTENT_TYPES = [
  [
    /^JSON(Strings|Compact|CompactStrings|Columns|ColumnsWithMetadata|ObjectEachRow)?$/,
    "application/json; charset=UTF-8",
  ],
  [/JSON.*EachRow/, "application/x-ndjson; charset=UTF-8"],
  [/^CSV/, "text/csv; charset=UTF-8; header=absent"],
  [/^(TSV|TabSeparated)/, "text/tab-separated-values; charset=UTF-8"],
  [
    /^(RowBinary|Native|Parquet|Arrow|ArrowStream|ORC|Avro|MsgPack|Protobuf|CapnProto|BSONEachRow|Npy)/,
    "application/octet-stream",
  ],
];
const contentType = (format) =>
  (CONTENT_TYPES.find(([re]) => re.test(format)) ?? [, "text/plain; charset=UTF-8"])[1];

if (!DATA_DIR) {
  console.error("[chdb-server] CHDB_DATA_DIR is not set");
  process.exit(2);
}
const engine = new Engine(DATA_DIR); // throws when another process holds the directory
await engine.init();

function sha(s) {
  return createHash("sha256").update(s).digest();
}

function credentials(req, url) {
  const hUser = req.headers["x-clickhouse-user"];
  if (hUser !== undefined) return { user: hUser, password: req.headers["x-clickhouse-key"] ?? "" };
  const auth = req.headers.authorization;
  if (auth) {
    const [scheme, value = ""] = auth.split(" ");
    if (scheme.toLowerCase() !== "basic") return { user: "", password: null }; // JWT etc.: never valid here
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    return i < 0
      ? { user: decoded, password: "" }
      : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  return {
    user: url.searchParams.get("user") ?? "default",
    password: url.searchParams.get("password") ?? "",
  };
}

function checkAuth(req, url) {
  const { user, password } = credentials(req, url);
  if (user === "default" && password !== null && timingSafeEqual(sha(password), sha(PASSWORD))) {
    return;
  }
  throw new EngineError(
    516,
    "AUTHENTICATION_FAILED",
    `${
      user || "default"
    }: Authentication failed: password is incorrect, or there is no user with such name`,
  );
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks);
  const encoding = (req.headers["content-encoding"] || "").trim().toLowerCase();
  if (!encoding || encoding === "identity" || raw.length === 0) return raw;
  const decode = DECODERS[encoding];
  if (!decode) {
    throw new EngineError(
      48,
      "NOT_IMPLEMENTED",
      `Content-Encoding '${encoding}' is not supported by this test endpoint`,
    );
  }
  try {
    return await decode(raw);
  } catch (e) {
    throw new EngineError(
      354,
      "CANNOT_DECOMPRESS",
      `Cannot decompress ${encoding} request body: ${e.message}`,
    );
  }
}

// multipart/form-data carries `query` and `param_*` parts (the client's use_multipart_params).
function multipartFields(body, header) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(header);
  if (!m) throw new EngineError(36, "BAD_ARGUMENTS", "multipart/form-data without boundary");
  const fields = {};
  for (const part of body.toString("utf8").split(`--${m[1] || m[2]}`).slice(1)) {
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, split))?.[1];
    if (name !== undefined) fields[name] = part.slice(split + 4).replace(/\r\n$/, "");
  }
  return fields;
}

function pickEncoding(req, enabled) {
  if (!enabled) return null;
  for (const token of (req.headers["accept-encoding"] || "").split(",")) {
    const name = token.split(";")[0].trim().toLowerCase();
    if (ENCODERS[name]) return name;
  }
  return null;
}

async function send(res, req, status, headers, body, compress, level) {
  const encoding = pickEncoding(req, compress);
  if (encoding && body.length > 0) {
    body = await ENCODERS[encoding](
      body,
      encoding === "br" ? {} : { level: Math.min(9, Math.max(1, level || 3)) },
    );
    headers["Content-Encoding"] = encoding;
  }
  res.writeHead(status, { ...headers, "Content-Length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}

const truthy = (v) => v === "1" || v === "true";

async function handleQuery(req, res, url, queryId) {
  const sp = url.searchParams;
  let body = await readBody(req);
  checkAuth(req, url);
  if (truthy(sp.get("compress")) || truthy(sp.get("decompress"))) {
    throw new EngineError(
      48,
      "NOT_IMPLEMENTED",
      "ClickHouse native compression (compress/decompress=1) is not supported by this test endpoint",
    );
  }
  let query = sp.get("query") ?? "";
  const params = {};
  const settings = {};
  for (const [k, v] of sp) {
    if (k.startsWith("param_")) params[k.slice(6)] = v;
    else if (!RESERVED.has(k) && !HTTP_SETTINGS.has(k)) settings[k] = v;
  }
  if (/^multipart\/form-data/i.test(req.headers["content-type"] || "")) {
    const fields = multipartFields(body, req.headers["content-type"]);
    for (const [k, v] of Object.entries(fields)) if (k.startsWith("param_")) params[k.slice(6)] = v;
    if (fields.query !== undefined) query = query ? `${query}\n${fields.query}` : fields.query;
    body = Buffer.alloc(0);
  }
  const defaultFormat = sp.get("default_format") || "TabSeparated";
  const sessionId = sp.get("session_id") || null;
  const started = process.hrtime.bigint();
  const r = await engine.run({
    query,
    body,
    params,
    settings,
    format: defaultFormat,
    sessionId,
    database: sp.get("database") || null,
    sessionTimeoutMs: 1000 *
      (Number(sp.get("session_timeout")) > 0 ? Number(sp.get("session_timeout")) : 60),
    sessionCheck: truthy(sp.get("session_check")),
    closeSession: truthy(sp.get("close_session")),
  });
  if (LOG_QUERIES) {
    console.log(
      `[chdb-server] ${queryId} ok ${
        (Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)
      } ms ${(query || body.subarray(0, 200).toString()).slice(0, 200).replace(/\s+/g, " ")}`,
    );
  }
  // The engine answers in the query's own FORMAT clause when there is one (for a SELECT).
  const isInsert = /^\s*INSERT\b/i.test(query || body.subarray(0, 64).toString());
  const explicit = isInsert
    ? null
    : /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i.exec(query || body.toString("utf8"))?.[1];
  const format = explicit || defaultFormat;
  const summary = {
    read_rows: String(r.rowsRead ?? r.rowsWritten ?? 0),
    read_bytes: String(r.bytesRead ?? r.bytesWritten ?? 0),
    written_rows: String(r.rowsWritten ?? 0),
    written_bytes: String(r.bytesWritten ?? 0),
    total_rows_to_read: "0",
    result_rows: String(r.rowsRead ?? 0),
    result_bytes: String(r.bytesRead ?? 0),
    elapsed_ns: String(Number(process.hrtime.bigint() - started)),
  };
  const headers = {
    "Content-Type": contentType(format),
    "X-ClickHouse-Query-Id": queryId,
    "X-ClickHouse-Format": format,
    "X-ClickHouse-Timezone": "UTC",
    "X-ClickHouse-Server-Display-Name": DISPLAY_NAME,
    "X-ClickHouse-Summary": JSON.stringify(summary),
  };
  if (sessionId) headers["X-ClickHouse-Session-Id"] = sessionId;
  await send(
    res,
    req,
    200,
    headers,
    r.bytes,
    truthy(sp.get("enable_http_compression")),
    Number(sp.get("http_zlib_compression_level")),
  );
}

function errorResponse(err, req, res, url, queryId) {
  let message = err instanceof Error ? err.message : String(err);
  let code = Number(/^Code: (\d+)\./.exec(message)?.[1]);
  if (!code) {
    code = 1001;
    message = `Code: 1001. DB::Exception: ${message}. (STD_EXCEPTION)`;
  }
  if (!/\(version [^)]*\)\s*$/.test(message)) message += ` (version ${engine.version})`;
  if (code !== 516 || LOG_QUERIES) {
    console.error(`[chdb-server] ${queryId} error: ${message.split("\n")[0].slice(0, 300)}`);
  }
  const headers = {
    "Content-Type": "text/plain; charset=UTF-8",
    "X-ClickHouse-Query-Id": queryId,
    "X-ClickHouse-Exception-Code": String(code),
    "X-ClickHouse-Timezone": "UTC",
    "X-ClickHouse-Server-Display-Name": DISPLAY_NAME,
  };
  const compress = truthy(url.searchParams.get("enable_http_compression"));
  return send(
    res,
    req,
    STATUS_BY_NAME.get(errorName(message)) ?? 500,
    headers,
    Buffer.from(`${message}\n`),
    compress,
  );
}

// Query parameters travel in the URL (the client moves them into a multipart body only when
// asked to), so allow URLs as long as a server's default http_max_uri_size (1 MiB); Node's own
// limit (16 KiB for the whole header block) would answer 431 to a long string parameter.
const server = http.createServer({ maxHeaderSize: 1024 * 1024 + 64 * 1024 }, async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  const queryId = url.searchParams.get("query_id") || randomUUID();
  try {
    if (url.pathname === "/ping" || url.pathname === "/replicas_status") {
      req.resume();
      return await send(
        res,
        req,
        200,
        { "Content-Type": "text/html; charset=UTF-8" },
        Buffer.from("Ok.\n"),
      );
    }
    if (url.pathname !== "/") {
      req.resume();
      return await send(
        res,
        req,
        404,
        { "Content-Type": "text/plain; charset=UTF-8" },
        Buffer.from(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`),
      );
    }
    if ((req.method === "GET" || req.method === "HEAD") && !url.searchParams.has("query")) {
      req.resume();
      return await send(
        res,
        req,
        200,
        { "Content-Type": "text/html; charset=UTF-8" },
        Buffer.from("Ok.\n"),
      );
    }
    await handleQuery(req, res, url, queryId);
  } catch (err) {
    if (res.headersSent) return res.destroy();
    req.resume(); // an early error must not leave an unread body on a kept-alive socket
    await errorResponse(err, req, res, url, queryId).catch(() => res.destroy());
  }
});

server.listen(PORT, HOST, () => {
  console.log(
    `[chdb-server] ClickHouse ${engine.version} (chdb) on http://${HOST}:${PORT}, data in ${DATA_DIR}`,
  );
});

// SIGTERM: stop accepting, let queued queries finish and their answers go out, then release
// the data directory so the next start can take its lock (written parts are already on disk).
let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`[chdb-server] ${sig}: shutting down`);
    const drained = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    await engine.close();
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2000))]);
    process.exit(0);
  });
}
