/**
 * Builds the web console (ui/ into ui/dist) with Vite, run by Deno: `deno task ui:build`
 * (`--watch` rebuilds on every change, as `deno task dev` runs it). ensureUiBuilt() builds
 * only when a source is newer than the build, for the browser tests.
 */

const UI = new URL("../ui/", import.meta.url).pathname;
/** The pinned Vite (also in ui/deno.json). */
export const VITE = "npm:vite@8.4.0";

/** The command that builds the console (`watch`: and rebuilds it on changes). */
export function uiBuildCommand(
  options: { watch?: boolean; stdout?: "inherit" | "piped" | "null" } = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", VITE, "build", ...(options.watch ? ["--watch"] : [])],
    cwd: UI,
    stdin: "null",
    stdout: options.stdout ?? "inherit",
    stderr: "inherit",
  });
}

/** Builds the console once; throws with Vite's output when it fails. */
export async function buildUi(): Promise<void> {
  // The packages first (node_modules in ui/, where Vite resolves them).
  for (const args of [["install"], ["run", "-A", VITE, "build"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: UI,
      stdin: "null",
    })
      .output();
    if (out.code !== 0) {
      const dec = new TextDecoder();
      throw new Error(
        `deno ${args.join(" ")} (in ui/) failed:\n${dec.decode(out.stdout)}${
          dec.decode(out.stderr)
        }`,
      );
    }
  }
}

/** Whether ui/dist is missing or older than a source of the console. */
export async function uiBuildIsStale(): Promise<boolean> {
  const built = await mtime(`${UI}dist/index.html`);
  if (built === undefined) return true;
  for (const f of ["index.html", "vite.config.ts", "deno.json", "deno.lock"]) {
    if ((await mtime(UI + f) ?? 0) > built) return true;
  }
  return await newerUnder(`${UI}src`, built);
}

/** Builds the console unless the build is up to date. */
export async function ensureUiBuilt(): Promise<void> {
  if (await uiBuildIsStale()) await buildUi();
}

async function newerUnder(dir: string, than: number): Promise<boolean> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (
      e.isDirectory ? await newerUnder(p, than) : (await mtime(p) ?? 0) > than
    ) return true;
  }
  return false;
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime();
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--watch")) {
    Deno.exit((await uiBuildCommand({ watch: true }).spawn().status).code);
  }
  await buildUi();
  console.error(`built the console into ${UI}dist`);
}
