/**
 * The C API of libchdb (chdb.h of chdb 26.7, the "v2" connection API) bound with Deno's FFI,
 * and the few calls the embedded analytics database makes through it. Every call that runs
 * SQL is `nonblocking` (a worker thread; the event loop keeps running). Callers serialize
 * calls: a chdb connection runs one statement at a time.
 */

const SYMBOLS = {
  // const char* chdb_version(void)
  chdb_version: { parameters: [], result: "pointer" },
  // void chdb_set_signal_handlers_enabled(int enabled); before the first connect
  chdb_set_signal_handlers_enabled: { parameters: ["i32"], result: "void" },
  // chdb_connection* chdb_connect(int argc, char** argv): a pointer to the connection handle,
  // NULL on failure
  chdb_connect: { parameters: ["i32", "buffer"], result: "pointer", nonblocking: true },
  // void chdb_close_conn(chdb_connection* conn): takes the pointer-to-handle again
  chdb_close_conn: { parameters: ["pointer"], result: "void", nonblocking: true },
  // chdb_result* chdb_query_n(chdb_connection, const char* q, size_t, const char* fmt, size_t)
  chdb_query_n: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize"],
    result: "pointer",
    nonblocking: true,
  },
  // chdb_result* chdb_query_with_params_n(conn, q, q_len, fmt, fmt_len,
  //   const char* const* names, const size_t* name_lens,
  //   const char* const* values, const size_t* value_lens, size_t count)
  chdb_query_with_params_n: {
    parameters: [
      "pointer",
      "buffer",
      "usize",
      "buffer",
      "usize",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "usize",
    ],
    result: "pointer",
    nonblocking: true,
  },
  // chdb_insert_stream chdb_stream_insert_n(conn, q, q_len, fmt, fmt_len): never NULL
  chdb_stream_insert_n: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize"],
    result: "pointer",
    nonblocking: true,
  },
  // chdb_state chdb_stream_append(chdb_insert_stream, const void* data, size_t len): 0 = ok
  chdb_stream_append: {
    parameters: ["pointer", "buffer", "usize"],
    result: "i32",
    nonblocking: true,
  },
  // chdb_result* chdb_stream_done(chdb_insert_stream): commits
  chdb_stream_done: { parameters: ["pointer"], result: "pointer", nonblocking: true },
  // const char* chdb_stream_insert_error(chdb_insert_stream): NULL when none
  chdb_stream_insert_error: { parameters: ["pointer"], result: "pointer" },
  // void chdb_destroy_insert_stream(chdb_insert_stream): cancels an unfinished stream first
  chdb_destroy_insert_stream: { parameters: ["pointer"], result: "void", nonblocking: true },
  // char* chdb_result_buffer(chdb_result*) / size_t chdb_result_length(chdb_result*)
  chdb_result_buffer: { parameters: ["pointer"], result: "pointer" },
  chdb_result_length: { parameters: ["pointer"], result: "usize" },
  // const char* chdb_result_error(chdb_result*): NULL when the statement succeeded
  chdb_result_error: { parameters: ["pointer"], result: "pointer" },
  // void chdb_destroy_query_result(chdb_result*)
  chdb_destroy_query_result: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded library. */
export type ChdbLibrary = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** An open connection: the pointer chdb_connect returned and the handle it points to. */
export interface ChdbConnection {
  /** `chdb_connection*`, what chdb_close_conn takes. */
  readonly ref: Deno.PointerObject;
  /** `chdb_connection`, what the query functions take. */
  readonly handle: Deno.PointerObject;
}

// glibc's values (dlfcn.h, x86_64/aarch64).
const RTLD_NOW = 0x2;
const RTLD_NOLOAD = 0x4;
const RTLD_NODELETE = 0x1000;

const loaded = new Map<string, ChdbLibrary>();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Loads libchdb once per process. The engine is made resident for good (RTLD_NODELETE):
 * its threads register thread-exit destructors in the worker threads that run nonblocking FFI
 * calls, and those threads exit after Deno has unloaded its libraries at shutdown, which
 * would jump into unmapped code (a segfault on every exit). chdb's own signal handlers are
 * turned off: Deno and V8 handle signals for the process (V8's WebAssembly trap handler
 * among them).
 */
export function loadChdbLibrary(path: string): ChdbLibrary {
  const cached = loaded.get(path);
  if (cached) return cached;
  const lib = Deno.dlopen(path, SYMBOLS).symbols;
  pinLibrary(path);
  lib.chdb_set_signal_handlers_enabled(0);
  loaded.set(path, lib);
  return lib;
}

function pinLibrary(path: string): void {
  const libc = Deno.dlopen("libc.so.6", {
    dlopen: { parameters: ["buffer", "i32"], result: "pointer" },
  });
  try {
    const handle = libc.symbols.dlopen(cString(path), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    if (!handle) throw new Error(`Cannot keep ${path} loaded: dlopen(RTLD_NODELETE) failed`);
    // The handle is deliberately never closed: it holds the library for the process's life.
  } finally {
    libc.close();
  }
}

/** The engine's version string, e.g. "26.7.3". */
export function chdbVersion(lib: ChdbLibrary): string {
  const p = lib.chdb_version();
  return p ? Deno.UnsafePointerView.getCString(p) : "unknown";
}

/** Opens a connection with `args` (`--path=...`, `--setting=value`); null when chdb refuses. */
export async function connect(
  lib: ChdbLibrary,
  args: string[],
): Promise<ChdbConnection | null> {
  const argv = stringArray(["coze-loop", ...args], true);
  const ref = await lib.chdb_connect(args.length + 1, argv.pointers);
  keepAlive(argv);
  if (!ref) return null;
  const handle = new Deno.UnsafePointerView(ref).getPointer(0);
  if (!handle) {
    await lib.chdb_close_conn(ref);
    return null;
  }
  return { ref, handle };
}

/** Closes a connection; closing the last one shuts the engine down and frees its directory. */
export async function disconnect(lib: ChdbLibrary, conn: ChdbConnection): Promise<void> {
  await lib.chdb_close_conn(conn.ref);
}

/**
 * Runs one statement and returns its output in `format`. Named parameters travel beside the
 * SQL (chdb_query_with_params_n), each value in ClickHouse's text form for its placeholder's
 * type. Throws ChdbError with the engine's message when the statement fails.
 */
export function runQuery(
  lib: ChdbLibrary,
  conn: ChdbConnection,
  sql: string,
  format: string,
  params?: [string, string][],
): Promise<string> {
  return runQueryWith(lib, conn, sql, format, params, (bytes) => decoder.decode(bytes));
}

/**
 * A JSONEachRow result's rows, parsed line by line straight from the engine's memory: no
 * string of the whole result (a page of spans is ~150 KB, which V8 allocates in its old
 * generation at once, so every few hundred pages cost a major collection on the event loop).
 */
export function runQueryRows<T>(
  lib: ChdbLibrary,
  conn: ChdbConnection,
  sql: string,
  params?: [string, string][],
): Promise<T[]> {
  return runQueryWith(lib, conn, sql, "JSONEachRow", params, (bytes) => {
    const rows: T[] = [];
    for (let start = 0; start < bytes.length;) {
      let end = bytes.indexOf(10, start); // "\n"
      if (end === -1) end = bytes.length;
      if (end > start) rows.push(JSON.parse(decoder.decode(bytes.subarray(start, end))));
      start = end + 1;
    }
    return rows;
  });
}

async function runQueryWith<T>(
  lib: ChdbLibrary,
  conn: ChdbConnection,
  sql: string,
  format: string,
  params: [string, string][] | undefined,
  read: (bytes: Uint8Array) => T,
): Promise<T> {
  const q = encoder.encode(sql);
  const f = encoder.encode(format);
  if (!params || params.length === 0) {
    const result = await lib.chdb_query_n(conn.handle, q, size(q), f, size(f));
    keepAlive(q, f);
    return takeResult(lib, result, read);
  }
  const names = stringArray(params.map(([n]) => n), false);
  const values = stringArray(params.map(([, v]) => v), false);
  const result = await lib.chdb_query_with_params_n(
    conn.handle,
    q,
    size(q),
    f,
    size(f),
    names.pointers,
    names.lengths,
    values.pointers,
    values.lengths,
    BigInt(params.length),
  );
  keepAlive(q, f, names, values);
  return takeResult(lib, result, read);
}

/**
 * Streams `chunks` (already in `format`) into `insertSql` ("INSERT INTO t") as one INSERT,
 * without concatenating them; nothing is committed when any chunk fails.
 */
export async function streamInsert(
  lib: ChdbLibrary,
  conn: ChdbConnection,
  insertSql: string,
  format: string,
  chunks: Iterable<Uint8Array>,
): Promise<void> {
  const q = encoder.encode(insertSql);
  const f = encoder.encode(format);
  const stream = await lib.chdb_stream_insert_n(conn.handle, q, size(q), f, size(f));
  keepAlive(q, f);
  if (!stream) throw new Error("chdb_stream_insert_n returned no stream");
  try {
    throwIfStreamFailed(lib, stream);
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const state = await lib.chdb_stream_append(stream, chunk, size(chunk));
      if (state !== 0) {
        throwIfStreamFailed(lib, stream);
        throw new Error("chdb_stream_append failed without a message");
      }
    }
    takeResult(lib, await lib.chdb_stream_done(stream));
  } finally {
    await lib.chdb_destroy_insert_stream(stream);
  }
}

function throwIfStreamFailed(lib: ChdbLibrary, stream: Deno.PointerObject): void {
  const err = lib.chdb_stream_insert_error(stream);
  if (err) throw engineError(Deno.UnsafePointerView.getCString(err));
}

/** Reads a result's error or output, then frees it (on every path). */
function takeResult<T = void>(
  lib: ChdbLibrary,
  result: Deno.PointerValue,
  read?: (bytes: Uint8Array) => T,
): T {
  if (!result) throw new Error("chdb returned no result");
  try {
    const err = lib.chdb_result_error(result);
    if (err) throw engineError(Deno.UnsafePointerView.getCString(err));
    const length = Number(lib.chdb_result_length(result));
    const buffer = lib.chdb_result_buffer(result);
    const bytes = length === 0 || !buffer
      ? new Uint8Array()
      : new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(buffer, length));
    // Read straight from the engine's memory; the view dies with the result below.
    return read ? read(bytes) : undefined as T;
  } finally {
    lib.chdb_destroy_query_result(result);
  }
}

/** A ClickHouse exception raised by the embedded engine: the code, name and message. */
export class ChdbError extends Error {
  override name = "ClickHouseError";
  /** ClickHouse's numeric error code as a string, e.g. "62", as the HTTP client gives it. */
  readonly code: string;
  /** The exception name, e.g. "SYNTAX_ERROR". */
  readonly type: string;

  constructor(message: string, code: string, type: string) {
    super(message);
    this.code = code;
    this.type = type;
  }
}

// "Code: 62. DB::Exception: <message>. (SYNTAX_ERROR) (version ...)": the message ends at the
// first parenthesized exception name (three capitals or more, so "(2)" is not one).
const ENGINE_MESSAGE =
  /Code: (\d+)\.[\s\S]*Exception: ([\s\S]+?)\(([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*)\)/;

/** The engine's error text as an Error carrying code and name, like the HTTP client's. */
export function engineError(text: string): Error {
  const m = ENGINE_MESSAGE.exec(text);
  return m ? new ChdbError(m[2], m[1], m[3]) : new Error(text);
}

interface StringArray {
  bytes: Uint8Array;
  pointers: BigUint64Array;
  lengths: BigUint64Array;
}

/**
 * Strings laid out in one native buffer, with an array of pointers to each and of their
 * byte lengths (`const char* const*` and `const size_t*`). Explicit ArrayBuffers, so their
 * memory never moves while the engine reads it.
 */
function stringArray(strings: string[], nulTerminated: boolean): StringArray {
  const encoded = strings.map((s) => encoder.encode(s));
  const size = encoded.reduce((n, b) => n + b.length + (nulTerminated ? 1 : 0), 0);
  const bytes = new Uint8Array(new ArrayBuffer(Math.max(size, 8)));
  const pointers = new BigUint64Array(new ArrayBuffer(8 * Math.max(strings.length, 1)));
  const lengths = new BigUint64Array(new ArrayBuffer(8 * Math.max(strings.length, 1)));
  const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
  let offset = 0;
  encoded.forEach((b, i) => {
    bytes.set(b, offset);
    pointers[i] = base + BigInt(offset);
    lengths[i] = BigInt(b.length);
    offset += b.length + (nulTerminated ? 1 : 0); // the buffer starts zeroed
  });
  return { bytes, pointers, lengths };
}

function size(bytes: Uint8Array): bigint {
  return BigInt(bytes.length);
}

function cString(s: string): Uint8Array {
  return encoder.encode(`${s}\0`);
}

// Pointers into these buffers were handed to a nonblocking call: referencing them after the
// call resolves keeps them from being collected while the engine thread reads them.
function keepAlive(..._buffers: unknown[]): void {}
