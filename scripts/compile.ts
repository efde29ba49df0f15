/**
 * `deno task compile`: one executable, `dist/coze-loop`, that runs the whole platform. Its
 * permissions are fixed when it is compiled (a compiled binary takes no Deno flags), from
 * the same configuration and rules as the launcher: set HOST, PORT, the service variables
 * and COZE_LOOP_MODELS_FILE as the binary will run, then compile. With the analytics store
 * embedded, the ClickHouse engine library is included in the binary and copied once into
 * the data directory on first start. The web console (ui/dist, built first when stale) is
 * included and served from the binary.
 *
 * `deno compile` needs Deno's runtime binary (`denort`), which it downloads from
 * dl.deno.land unless DENORT_BIN names a local copy.
 */
import { CONSOLE_DIR, permissionsFor, V8_FLAGS, WORKER_MODULES } from "../launch.ts";
import { ensureUiBuilt } from "./ui_build.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** The `deno compile` arguments for this environment. */
export async function compileArgs(
  env: Record<string, string>,
  output = `${ROOT}dist/coze-loop`,
): Promise<string[]> {
  const { flags, chdbLib } = await permissionsFor(env, { relativeDataDir: true });
  // The binary reads its engine from its own embedded files and loads a copy kept under the
  // data directory, which the flags above already allow.
  const engine = chdbLib ? ["--include", chdbLib] : [];
  // Workers are started by URL, which `deno compile` cannot see in the module graph.
  const workers = WORKER_MODULES.flatMap((m) => ["--include", m]);
  // The web console's files, read from the binary's embedded files (routes/console.ts).
  const ui = isDirectory(CONSOLE_DIR) ? ["--include", CONSOLE_DIR] : [];
  return [
    "compile",
    V8_FLAGS,
    ...flags,
    ...engine,
    ...workers,
    ...ui,
    "--output",
    output,
    `${ROOT}main.ts`,
  ];
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  await ensureUiBuilt();
  const args = await compileArgs(Deno.env.toObject());
  console.error(`deno ${args.join(" ")}`);
  const status = await new Deno.Command(Deno.execPath(), {
    args,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  Deno.exit(status.code);
}
