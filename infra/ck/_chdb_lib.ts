/**
 * Finding libchdb.so, the ClickHouse engine as a shared library (npm
 * `@chdb/lib-linux-x64-gnu`, ~550 MB). Nothing here reads the environment: the caller passes
 * what configuration says.
 */
import { fileURLToPath } from "node:url";

/** The npm package that ships the engine, and the version this code was written against. */
export const CHDB_LIB_PACKAGE = "@chdb/lib-linux-x64-gnu";
/** The pinned version of CHDB_LIB_PACKAGE (engine 26.7). */
export const CHDB_LIB_VERSION = "26.7.3-stable.1";
const LIB_FILE = "libchdb.so";
const IN_PACKAGE = `node_modules/${CHDB_LIB_PACKAGE}/${LIB_FILE}`;

/** Where to look for the library. */
export interface ChdbLibraryOptions {
  /** Configured path: when set, the only place looked at. */
  libPath?: string;
  /** The value of COZE_LOOP_CHDB_LIB, passed in by the caller. */
  envLibPath?: string;
  /**
   * When the project maps CHDB_LIB_PACKAGE in its import map but Deno's npm cache does not
   * hold it yet, import the package's package.json so that Deno fetches it (once, ~150 MB
   * download). Default true. The package's Node addon is never loaded.
   */
  fetchPackage?: boolean;
}

type Probe = { path: string } | { miss: string };

/**
 * The path of libchdb.so, from the first of: `libPath`; `envLibPath`; the npm package in
 * Deno's npm cache, when the project imports it; ./node_modules; the project's
 * scripts/chdb_server/node_modules. Fails naming every place tried and why each missed.
 */
export async function locateChdbLibrary(options: ChdbLibraryOptions = {}): Promise<string> {
  const tried: string[] = [];
  const probes: [string, () => Probe | Promise<Probe>][] = options.libPath !== undefined
    ? [["configured libPath", () => probeFile(options.libPath!)]]
    : [
      ["COZE_LOOP_CHDB_LIB", () => probeEnv(options.envLibPath)],
      [`npm package ${CHDB_LIB_PACKAGE}`, () => probeNpmPackage(options.fetchPackage ?? true)],
      ["./node_modules", () => probeFile(IN_PACKAGE)],
      ["scripts/chdb_server", () => probeProjectCopy()],
    ];
  for (const [what, probe] of probes) {
    const r = await probe();
    if ("path" in r) return r.path;
    tried.push(`${what}: ${r.miss}`);
  }
  throw new Error(
    `Cannot find ${LIB_FILE} (the embedded ClickHouse engine). Tried: ${tried.join("; ")}. ` +
      `Set COZE_LOOP_CHDB_LIB to its path, or install ${CHDB_LIB_PACKAGE}@${CHDB_LIB_VERSION}.`,
  );
}

function probeEnv(value: string | undefined): Probe {
  return value ? probeFile(value) : { miss: "not set" };
}

function probeFile(path: string): Probe {
  try {
    const st = Deno.statSync(path);
    return st.isFile ? { path } : { miss: `${path} is not a file` };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { miss: `${path} not found` };
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return { miss: `${path} not readable (${(err as Error).message.split("\n")[0]})` };
    }
    return { miss: `${path}: ${(err as Error).message}` };
  }
}

async function probeNpmPackage(fetch: boolean): Promise<Probe> {
  // Not a literal: a literal specifier would make every `deno run` of the server fetch the
  // engine, even with a ClickHouse server configured.
  const spec = [CHDB_LIB_PACKAGE, "package.json"].join("/");
  let url: string;
  try {
    url = import.meta.resolve(spec);
  } catch {
    return { miss: "not in the project's import map" };
  }
  if (!url.startsWith("file:")) {
    if (!fetch) return { miss: "not in Deno's npm cache" };
    try {
      await import(spec, { with: { type: "json" } });
    } catch (err) {
      return { miss: `cannot be fetched: ${(err as Error).message.split("\n")[0]}` };
    }
    url = import.meta.resolve(spec);
    if (!url.startsWith("file:")) return { miss: `resolved to ${url}, not a file` };
  }
  return probeFile(fileURLToPath(new URL(LIB_FILE, url)));
}

function probeProjectCopy(): Probe {
  const url = new URL(`../../scripts/chdb_server/${IN_PACKAGE}`, import.meta.url);
  if (url.protocol !== "file:") return { miss: `this module is not a local file (${url.href})` };
  return probeFile(fileURLToPath(url));
}

/**
 * A copy of the library in `cacheDir`, made on first use and reused while its size and
 * modification time match: for a `deno compile`d binary that carries the library among its
 * embedded files, which the dynamic loader cannot open in place.
 */
export async function cachedLibraryCopy(path: string, cacheDir: string): Promise<string> {
  const st = await Deno.stat(path);
  const stamp = `${st.size}-${st.mtime?.getTime() ?? 0}`;
  const target = `${cacheDir.replace(/\/+$/, "")}/libchdb-${stamp}.so`;
  try {
    if ((await Deno.stat(target)).size === st.size) return target;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const partial = `${target}.${crypto.randomUUID().slice(0, 8)}.partial`;
  try {
    const src = await Deno.open(path, { read: true });
    let dst: Deno.FsFile;
    try {
      dst = await Deno.open(partial, { write: true, createNew: true, mode: 0o755 });
    } catch (err) {
      src.close();
      throw err;
    }
    await src.readable.pipeTo(dst.writable); // closes both files, also on failure
    await Deno.rename(partial, target); // another process may have won; same bytes
  } catch (err) {
    await Deno.remove(partial).catch(() => {});
    throw err;
  }
  return target;
}
