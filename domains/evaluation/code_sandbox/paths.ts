/**
 * Where the sandbox's files are: its own directory (the worker modules) and the engines'
 * npm packages (Pyodide's wasm and standard library, QuickJS's wasm). A sandboxed server must
 * be allowed to read them (launch.ts adds them to its read permission), and each runner is
 * allowed to read only these, until its engine is loaded.
 */
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

/** The directory of the worker modules. */
export const SANDBOX_DIR: string = fileURLToPath(new URL(".", import.meta.url));

/** The directories a runner reads while it loads. */
export interface SandboxPaths {
  dir: string;
  pyodideDir: string;
  quickjsDir: string;
}

/** Resolves the engines' package directories (fetching the packages into Deno's cache once). */
export async function sandboxPaths(): Promise<SandboxPaths> {
  return {
    dir: SANDBOX_DIR,
    pyodideDir: await packageDir("pyodide"),
    quickjsDir: await packageDir("@jitl/quickjs-ng-wasmfile-release-sync"),
  };
}

/** The read paths of sandboxPaths(), for the server's permission flags. */
export async function sandboxReadPaths(): Promise<string[]> {
  const p = await sandboxPaths();
  return [p.dir, p.pyodideDir, p.quickjsDir];
}

async function packageDir(name: string): Promise<string> {
  // Not a literal import: the import map names the pinned version.
  const spec = [name, "package.json"].join("/");
  let url = import.meta.resolve(spec);
  if (!url.startsWith("file:")) {
    await import(spec, { with: { type: "json" } });
    url = import.meta.resolve(spec);
  }
  if (!url.startsWith("file:")) throw new Error(`Cannot locate the npm package ${name} (${url})`);
  return dirname(fileURLToPath(url));
}
