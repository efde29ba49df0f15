/**
 * The permissions the server runs with (Deno's permission model): network access only to its
 * listen address, the configured infrastructure hosts and the model providers' hosts; files
 * only under its data directory (plus, read-only, the models file and its Workers' module
 * files); FFI only for the embedded ClickHouse engine; never a subprocess. The launcher
 * (`launch.ts`) computes them from the same configuration the server reads and starts the
 * server with them.
 */
import { dirname, resolve } from "node:path";
import type { Config } from "./config.ts";
import { embeddedPaths } from "./data_dir.ts";

/** What the server may touch, as Deno permission flags. */
export interface ServerPermissions {
  /** `--allow-*` flags for `deno run` (or `deno compile`). */
  flags: string[];
}

/**
 * Os information some drivers ask for (kafkajs and the AWS SDK read the host name and
 * release for client ids and user agents; Node's `os` module for temp paths and CPU count).
 */
const SYS = ["hostname", "osRelease", "homedir", "cpus", "uid", "gid"];

/** The permissions for `config`; `providerUrls` are the model catalogue's base URLs. */
export function serverPermissions(
  config: Config,
  options: {
    providerUrls: string[];
    chdbLib?: string;
    /**
     * Keep a relative data directory relative (a compiled binary, whose permissions are
     * fixed at compile time, resolves it where it is started).
     */
    relativeDataDir?: boolean;
    /** Modules the server starts as Workers: a Worker needs read access to its module. */
    workerModules?: string[];
    /** The built web console (ui/dist), which the server serves: read-only. */
    consoleDir?: string;
  },
): ServerPermissions {
  const net = new Set<string>();
  net.add(`${hostOf(config.host)}:${config.port}`);
  if (config.mysql) net.add(`${config.mysql.host}:${config.mysql.port}`);
  if (config.redis) net.add(`${config.redis.host}:${config.redis.port}`);
  if (config.clickhouse) net.add(hostPort(config.clickhouse.url));
  if (config.s3) {
    const s3 = new URL(config.s3.endpoint);
    net.add(hostPort(config.s3.endpoint));
    // Path-style requests go to the endpoint; virtual-host style would add the bucket.
    net.add(`${config.s3.bucket}.${s3.hostname}:${portOf(s3)}`);
  }
  for (const b of config.kafka?.brokers ?? []) net.add(b);
  for (const u of options.providerUrls) net.add(hostPort(u));

  const dataDir = options.relativeDataDir ? config.dataDir : embeddedPaths(config.dataDir).root;
  const read = [dataDir];
  if (config.modelsFile) read.push(resolve(config.modelsFile));
  read.push(...options.workerModules ?? []);
  if (options.consoleDir) read.push(options.consoleDir);
  const engine = !config.clickhouse && options.chdbLib !== undefined;
  if (engine) read.push(dirname(resolve(options.chdbLib!)));

  const flags = [
    `--allow-net=${[...net].join(",")}`,
    `--allow-read=${read.join(",")}`,
    `--allow-write=${dataDir}`,
    "--allow-env",
    `--allow-sys=${SYS.join(",")}`,
    // Deno's pointer helpers need FFI permission as a whole, not per library: granted only
    // when the embedded ClickHouse engine is in use.
    ...(engine ? ["--allow-ffi"] : []),
  ];
  return { flags };
}

// The host to allow for listening: Deno checks the address as given to Deno.serve.
function hostOf(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${portOf(u)}`;
}

function portOf(u: URL): string {
  return u.port || (u.protocol === "https:" ? "443" : "80");
}
