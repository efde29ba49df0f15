/**
 * Embedded AnalyticsDb: the ClickHouse engine itself (chdb's libchdb.so) running inside this
 * process through Deno's FFI, so the SQL and DDL sent to a ClickHouse server run here
 * unchanged, on MergeTree tables persisted in a data directory. Needs --allow-ffi (all of
 * it: Deno checks pointer access against the unscoped permission) and read access to the
 * library's path; the engine's own file I/O is native and outside Deno's permissions.
 *
 * One engine per process and one process per data directory (the engine locks it). Every
 * call into the engine goes through one queue: one statement at a time, in order.
 */
import { ServiceUnavailableError } from "../errors.ts";
import {
  type ChdbConnection,
  ChdbError,
  type ChdbLibrary,
  connect,
  disconnect,
  loadChdbLibrary,
  runQuery,
  runQueryRows,
  streamInsert,
} from "./_chdb_ffi.ts";
import { cachedLibraryCopy, type ChdbLibraryOptions, locateChdbLibrary } from "./_chdb_lib.ts";
import { type AnalyticsDb, checkIdentifier, checkParams, type QueryParams } from "./mod.ts";

export { ChdbError };

/** Settings of the embedded engine. */
export interface ChdbOptions extends ChdbLibraryOptions {
  /** The engine's data directory (created when missing); one process may use it at a time. */
  dataDir: string;
  /** The database the tables live in; created when missing. */
  database: string;
  /** Copy the library here before loading it (for a `deno compile`d binary that embeds it). */
  libCacheDir?: string;
}

/**
 * Settings in which chdb's embedded defaults differ from a ClickHouse server's, or which the
 * HTTP driver sends with every request; applied to each connection.
 */
const SERVER_PROFILE: Record<string, string> = {
  // A server quotes (U)Int64 and wider integers in JSON formats; chdb does not by default.
  output_format_json_quote_64bit_integers: "1",
  // A server inserts synchronously; chdb defaults to asynchronous inserts.
  async_insert: "0",
  // A bare `1+1` is a syntax error on a server, not a SELECT.
  implicit_select: "0",
  // What infra/ck/clickhouse.ts sets on its client.
  date_time_input_format: "best_effort",
  // Our servers run in UTC; the engine would otherwise follow this process's TZ.
  session_timezone: "UTC",
  // Not a server difference but a bound on this process's memory: parallel parsing of an
  // insert gives each parser thread its own segment of the input and its own blocks, which
  // measured 80-100 MB more peak RSS for the span writer's 1-8 MiB inserts, for no speed the
  // writer needs (the engine takes one statement at a time here).
  input_format_parallel_parsing: "0",
};

/**
 * Settings of the engine itself, not of a session. Background merges run at nice 10: in one
 * process with the event loop and the searches, they take the CPU that is left rather than
 * compete with requests (a server gives them their own host; here they share two cores).
 */
const ENGINE_SETTINGS: Record<string, string> = {
  os_threads_nice_value_merge_mutate: "10",
};

/** Rows per insert chunk handed to the engine: bounds the JSON text built at once. */
const INSERT_CHUNK_BYTES = 1 << 20;

interface Engine {
  lib: ChdbLibrary;
  path: string;
  /** The data directory the engine is open on, while any connection is open. */
  dataDir?: string;
  connections: number;
  tail: Promise<unknown>;
}

let engine: Engine | undefined;

/** Creates the embedded analytics database; it opens the engine on first use. */
export function createChdbAnalytics(options: ChdbOptions): AnalyticsDb {
  const { dataDir, database } = options;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new TypeError(`Invalid database name "${database}"`);
  }
  const address = `${dataDir} (embedded)`;
  let eng: Engine | undefined;
  let conn: ChdbConnection | undefined;
  let closed = false;

  const open = async (): Promise<Engine> => {
    if (eng) return eng;
    let path = await locateChdbLibrary(options);
    if (options.libCacheDir) path = await cachedLibraryCopy(path, options.libCacheDir);
    eng = useEngine(path);
    return eng;
  };

  // Runs `fn` on this instance's connection, in the engine's queue.
  const run = async <T>(fn: (lib: ChdbLibrary, c: ChdbConnection) => Promise<T>): Promise<T> => {
    if (closed) throw new Error(`The embedded ClickHouse on ${dataDir} is closed`);
    const e = await open();
    return await enqueue(e, async () => {
      if (closed) throw new Error(`The embedded ClickHouse on ${dataDir} is closed`);
      conn ??= await openConnection(e, dataDir, database, address);
      return await fn(e.lib, conn);
    });
  };

  return {
    query: async <T>(sql: string, params: QueryParams = {}) => {
      checkParams(sql, params);
      const bound = bindParams(params);
      return await run((lib, c) => runQueryRows<T>(lib, c, sql, bound));
    },
    command: async (sql, params = {}) => {
      checkParams(sql, params);
      const bound = bindParams(params);
      await run((lib, c) => runQuery(lib, c, sql, "TabSeparated", bound));
    },
    insert: async (table, rows) => {
      checkIdentifier(table);
      if (rows.length === 0) return;
      await run((lib, c) =>
        streamInsert(lib, c, `INSERT INTO ${table}`, "JSONEachRow", jsonLines(rows))
      );
    },
    insertJsonLines: async (table, chunks) => {
      checkIdentifier(table);
      if (chunks.length === 0) return;
      await run((lib, c) => streamInsert(lib, c, `INSERT INTO ${table}`, "JSONEachRow", chunks));
    },
    migrate: (statements) =>
      run(async (lib, c) => {
        for (const sql of statements) await runQuery(lib, c, sql, "TabSeparated");
      }),
    ping: async () => {
      await run((lib, c) => runQuery(lib, c, "SELECT 1", "TabSeparated"));
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (!eng) return;
      const e = eng;
      await enqueue(e, async () => {
        if (!conn) return;
        const c = conn;
        conn = undefined;
        await disconnect(e.lib, c);
        if (--e.connections === 0) e.dataDir = undefined;
      });
    },
  };
}

function useEngine(located: string): Engine {
  const path = Deno.realPathSync(located); // one file, however it was found
  if (engine && engine.path !== path) {
    throw new Error(
      `The embedded ClickHouse engine is already loaded from ${engine.path}; ` +
        `one engine per process (asked for ${path})`,
    );
  }
  engine ??= { lib: loadChdbLibrary(path), path, connections: 0, tail: Promise.resolve() };
  return engine;
}

function enqueue<T>(e: Engine, fn: () => Promise<T>): Promise<T> {
  const p = e.tail.then(fn);
  e.tail = p.catch(() => {});
  return p;
}

async function openConnection(
  e: Engine,
  dataDir: string,
  database: string,
  address: string,
): Promise<ChdbConnection> {
  if (e.dataDir !== undefined && e.dataDir !== dataDir) {
    throw new ServiceUnavailableError(
      "ClickHouse",
      address,
      new Error(
        `this process's engine is open on ${e.dataDir}; one data directory per process ` +
          `(close every instance on it first)`,
      ),
    );
  }
  const args = [
    `--path=${dataDir}`,
    ...Object.entries({ ...SERVER_PROFILE, ...ENGINE_SETTINGS }).map(([k, v]) => `--${k}=${v}`),
  ];
  const c = await connect(e.lib, args);
  if (!c) {
    throw new ServiceUnavailableError(
      "ClickHouse",
      address,
      new Error("the engine refused the data directory (is another process using it?)"),
    );
  }
  e.connections++;
  e.dataDir = dataDir;
  try {
    await runQuery(e.lib, c, `CREATE DATABASE IF NOT EXISTS ${database}`, "TabSeparated");
    await runQuery(e.lib, c, `USE ${database}`, "TabSeparated");
  } catch (err) {
    await disconnect(e.lib, c);
    if (--e.connections === 0) e.dataDir = undefined;
    throw err;
  }
  return c;
}

const encoder = new TextEncoder();

/** Rows as JSON lines (JSON.stringify, as the HTTP driver encodes them), in ~1 MiB chunks. */
function* jsonLines(rows: Record<string, unknown>[]): Generator<Uint8Array> {
  let text = "";
  for (const row of rows) {
    text += JSON.stringify(row) + "\n";
    if (text.length >= INSERT_CHUNK_BYTES) {
      yield encoder.encode(text);
      text = "";
    }
  }
  if (text) yield encoder.encode(text);
}

/** Parameters as name/text pairs: each value in the text form of @clickhouse/client. */
function bindParams(params: QueryParams): [string, string][] {
  return Object.entries(params).map(([name, value]) => [name, paramText(value, false)]);
}

/**
 * A parameter value in ClickHouse's escaped text form, as the HTTP driver sends it in
 * `param_<name>`: top-level strings raw (escaped), NULL as \N and booleans as 1/0; inside
 * arrays, tuples and maps strings are quoted, NULL is NULL and booleans TRUE/FALSE. The
 * engine parses it as the placeholder's type; it never becomes SQL text.
 */
export function paramText(value: unknown, nested: boolean): string {
  if (value === null || value === undefined) return nested ? "NULL" : "\\N";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (value === Infinity) return "+inf";
    if (value === -Infinity) return "-inf";
    return String(value);
  }
  if (typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return nested ? (value ? "TRUE" : "FALSE") : (value ? "1" : "0");
  if (typeof value === "string") {
    const escaped = value.replace(/[\t\n\r'\\]/g, (c) => ESCAPES[c]);
    return nested ? `'${escaped}'` : escaped;
  }
  if (Array.isArray(value)) return `[${value.map((v) => paramText(v, true)).join(",")}]`;
  if (value instanceof Date) {
    const seconds = String(Math.floor(value.getTime() / 1000)).padStart(10, "0");
    const ms = value.getUTCMilliseconds();
    return ms === 0 ? seconds : `${seconds}.${String(ms).padStart(3, "0")}`;
  }
  if (value instanceof Map) return mapText(value.entries());
  if (typeof value === "object") return mapText(Object.entries(value));
  throw new TypeError(`Unsupported value in query parameters: ${String(value)}`);
}

const ESCAPES: Record<string, string> = {
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "'": "\\'",
  "\\": "\\\\",
};

function mapText(entries: Iterable<[unknown, unknown]>): string {
  const parts = Array.from(entries, ([k, v]) => `${paramText(k, true)}:${paramText(v, true)}`);
  return `{${parts.join(",")}}`;
}
