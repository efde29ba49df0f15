/**
 * The data directory of the embedded services (`COZE_LOOP_DATA_DIR`): where each one keeps
 * its files, and the secrets the server generates once and keeps there so that sessions and
 * signed URLs survive a restart.
 */
import { join, resolve } from "node:path";

/** Where each embedded service keeps its data under `dataDir`. */
export interface EmbeddedPaths {
  root: string;
  /** SQLite database of the relational data. */
  relational: string;
  /** SQLite file of the message queue. */
  queue: string;
  /** SQLite file of the cache (sessions among others), so that it survives a restart. */
  cache: string;
  /** Directory of the embedded ClickHouse engine. */
  analytics: string;
  /** Directory of the object storage. */
  objects: string;
  /** Directory of the id generator's high-water marks. */
  ids: string;
  /** File of the generated secrets. */
  secrets: string;
}

/** The paths under `dataDir` (absolute, so a later change of directory does not move them). */
export function embeddedPaths(dataDir: string): EmbeddedPaths {
  const root = resolve(dataDir);
  return {
    root,
    relational: join(root, "loop.sqlite"),
    queue: join(root, "queue.sqlite"),
    cache: join(root, "cache.sqlite"),
    analytics: join(root, "analytics"),
    objects: join(root, "objects"),
    ids: join(root, "ids"),
    secrets: join(root, "secrets.json"),
  };
}

/** Secrets the server makes itself when they are not configured. */
export interface GeneratedSecrets {
  /** Signs web sessions (when COZE_LOOP_SESSION_SECRET is unset). */
  session: string;
  /** Signs the embedded object storage's URLs. */
  objects: string;
}

/**
 * The secrets kept in the data directory, created (readable by the owner only) on first use.
 * Creates the directory too.
 */
export async function loadOrCreateSecrets(paths: EmbeddedPaths): Promise<GeneratedSecrets> {
  await Deno.mkdir(paths.root, { recursive: true });
  try {
    const saved = JSON.parse(await Deno.readTextFile(paths.secrets)) as Partial<GeneratedSecrets>;
    if (typeof saved.session === "string" && typeof saved.objects === "string") {
      return { session: saved.session, objects: saved.objects };
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new Error(`Cannot read ${paths.secrets}: ${(err as Error).message}`);
    }
  }
  const secrets = { session: randomSecret(), objects: randomSecret() };
  // Written aside then renamed: a crash never leaves a half-written file behind.
  const tmp = `${paths.secrets}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(secrets), { mode: 0o600 });
  await Deno.rename(tmp, paths.secrets);
  return secrets;
}

function randomSecret(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
