/**
 * Starts the server (`main.ts`) inside Deno's permission sandbox: reads the same
 * configuration, works out what the server may touch (infra/sandbox.ts) and runs it with
 * exactly those permissions, forwarding signals and its exit code. The launcher itself may
 * start a subprocess; the server may not.
 *
 *   deno run --allow-env --allow-read --allow-write --allow-run launch.ts [--watch] [--print]
 *
 * `--print` shows the permissions instead of starting.
 */
import { type Config, ConfigError, loadConfig } from "./infra/config.ts";
import { serverPermissions } from "./infra/sandbox.ts";
import { embeddedPaths } from "./infra/data_dir.ts";
import { loadModelCatalogue, ModelCatalogueError } from "./domains/llm/catalogue.ts";
import { locateChdbLibrary } from "./infra/ck/_chdb_lib.ts";
import { PASSWORD_WORKER_URL } from "./domains/foundation/password_workers.ts";
import { OTLP_WORKER_DIR, OTLP_WORKER_URL } from "./domains/observability/otlp/decode_pool.ts";
import { ensureUiBuilt, uiBuildCommand } from "./scripts/ui_build.ts";
import { sandboxReadPaths } from "./domains/evaluation/code_sandbox/paths.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
/** The built web console, which the server serves (routes/console.ts). */
export const CONSOLE_DIR: string = new URL("./ui/dist", import.meta.url).pathname;
/** The modules the server runs as Workers (included in a compiled binary). */
export const WORKER_MODULES: string[] = [PASSWORD_WORKER_URL.pathname, OTLP_WORKER_URL.pathname];
/**
 * What the Workers load, read-only: the password worker imports no local module; the OTLP
 * decoding workers import the observability modules (source code, no data).
 */
const WORKER_READ_PATHS: string[] = [PASSWORD_WORKER_URL.pathname, OTLP_WORKER_DIR.pathname];

/**
 * glibc malloc settings for the server process, unless the environment sets its own. The
 * embedded ClickHouse engine allocates through the C library in this process: by default
 * every engine thread gets an arena of its own, and freed large blocks stay in them (the
 * mmap threshold grows with every large free, up to 32 MiB), so the resident set kept the
 * peak of every insert and merge. Two arenas, blocks of 1 MiB and more mapped and unmapped,
 * and a trim threshold of 1 MiB: ~100 MiB less at the peak of a 100,000-span OTLP run. (A
 * 128 KiB threshold saved a little more but cost a fifth of the ingestion rate in page
 * faults; BENCHMARKS.md.)
 */
export const MALLOC_ENV: Record<string, string> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "1048576",
  MALLOC_TRIM_THRESHOLD_: "1048576",
};

/**
 * V8's young generation capped at 8 MiB a semi-space (16 by default on 64-bit hosts), for the
 * main thread and every Worker: requests and batches leave short-lived garbage, and the
 * smaller nursery collects it (and frees the buffers it holds) sooner, for ~150 MiB less peak
 * during ingestion at some more collector time (BENCHMARKS.md). `--expose-gc` gives the server
 * V8's `gc` function, which `infra/gc_pacer.ts` calls when ArrayBuffer memory has grown by
 * COZE_LOOP_GC_PACER_MIB since the last major collection (user code runs on QuickJS, never on
 * this V8, so it cannot reach it).
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=8,--expose-gc";

/** How to run the server sandboxed: `deno` arguments and environment. */
export interface SandboxedCommand {
  args: string[];
  env: Record<string, string>;
  flags: string[];
}

/** The server's permissions for an environment, and what they were worked out from. */
export async function permissionsFor(
  env: Record<string, string>,
  options: { relativeDataDir?: boolean } = {},
): Promise<{ config: Config; flags: string[]; chdbLib?: string }> {
  const config = loadConfig(env);
  const providerUrls = config.modelsFile
    ? loadModelCatalogue(await Deno.readTextFile(config.modelsFile), env, config.modelsFile)
      .baseUrls()
    : [];
  const chdbLib = config.clickhouse
    ? undefined
    : await locateChdbLibrary({ libPath: config.chdbLib });
  const { flags } = serverPermissions(config, {
    providerUrls,
    chdbLib,
    relativeDataDir: options.relativeDataDir,
    // The code evaluator sandbox's workers and engines (Pyodide, QuickJS): read-only.
    workerModules: [...WORKER_READ_PATHS, ...await sandboxReadPaths()],
    consoleDir: CONSOLE_DIR,
  });
  return { config, flags, chdbLib };
}

/** The sandboxed server command for an environment. */
export async function sandboxedCommand(
  env: Record<string, string>,
): Promise<SandboxedCommand> {
  const { config, flags, chdbLib } = await permissionsFor(env);
  // Temporary files (uploads spooled before their workspace is known) stay inside the
  // data directory, the only place the server may write.
  const tmp = `${embeddedPaths(config.dataDir).root}/tmp`;
  await Deno.mkdir(tmp, { recursive: true });
  return {
    args: ["run", "--no-prompt", V8_FLAGS, ...flags, MAIN],
    env: {
      ...MALLOC_ENV,
      ...env,
      TMPDIR: tmp,
      ...(chdbLib ? { COZE_LOOP_CHDB_LIB: chdbLib } : {}),
    },
    flags,
  };
}

async function launch(args: string[]): Promise<number> {
  const command = await sandboxedCommand(Deno.env.toObject());
  if (args.includes("--print")) {
    console.log(command.flags.join("\n"));
    return 0;
  }
  const watch = args.includes("--watch");
  // --watch: the web console is built, then rebuilt on every change in ui/, by Vite in a
  // subprocess of ours (the sandboxed server may start none); the server reads each request's
  // files afresh, so a rebuild needs no restart.
  const ui = watch ? await watchUi() : undefined;
  try {
    return await serve(command, watch);
  } finally {
    ui?.stop();
  }
}

async function serve(command: SandboxedCommand, watch: boolean): Promise<number> {
  let child = spawn(command);
  let stopping: Deno.Signal | undefined;
  let stopped!: () => void;
  const stop = new Promise<void>((resolve) => (stopped = resolve));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      stopping = signal;
      stopped();
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    });
  }
  // The watcher is ours rather than Deno's --watch, which would keep waiting for a change
  // after the server has shut down on a signal.
  const changes = watch ? watchSources() : undefined;
  // One wait for a change at a time, kept across rounds so that no change is lost.
  let change = changes?.next();
  for (;;) {
    const next = await Promise.race([
      child.status.then((status) => ({ status })),
      ...(change ? [change.then(() => ({ change: true as const }))] : []),
    ]);
    if ("status" in next) {
      if (stopping || !change) return exitCode(next.status);
      console.error(`Server exited with code ${next.status.code}; restarting on a file change.`);
      await Promise.race([change, stop]);
      if (stopping) return exitCode(next.status);
      change = changes!.next();
    } else {
      change = changes!.next();
      console.error("Source changed: restarting the server.");
      child.kill("SIGTERM");
      await child.status;
      if (stopping) return 0;
    }
    command.env = (await sandboxedCommand(Deno.env.toObject())).env;
    child = spawn(command);
  }
}

// A failed console build leaves the API served: the console's pages say how to build it.
async function watchUi(): Promise<{ stop(): void }> {
  try {
    await ensureUiBuilt();
  } catch (err) {
    console.error(`Cannot build the web console: ${(err as Error).message}`);
  }
  const child = uiBuildCommand({ watch: true, stdout: "null" }).spawn();
  return {
    stop: () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
  };
}

function spawn(command: SandboxedCommand): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: command.args,
    env: command.env,
    clearEnv: true,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
}

// Changes of the server's sources, debounced: one event per burst of saves; a change made
// while nobody waits is kept for the next wait.
async function* watchSources(): AsyncGenerator<void> {
  const root = new URL(".", import.meta.url).pathname;
  const watcher = Deno.watchFs(["main.ts", "infra", "domains", "routes"].map((p) => root + p));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let pending = false;
  (async () => {
    for await (const e of watcher) {
      if (!e.paths.some((p) => /\.(ts|json|ya?ml)$/.test(p))) continue;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (wake) {
          wake();
          wake = undefined;
        } else pending = true;
      }, 200);
    }
  })();
  for (;;) {
    if (pending) pending = false;
    else await new Promise<void>((resolve) => (wake = resolve));
    yield;
  }
}

function exitCode(status: Deno.CommandStatus): number {
  return status.signal ? 128 + signalNumber(status.signal) : status.code;
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await launch(Deno.args));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ModelCatalogueError) {
      console.error(err.message);
    } else console.error(`Cannot start: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
}
