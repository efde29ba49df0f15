/**
 * The one entrypoint: configuration -> infrastructure -> domains -> routes -> Deno.serve,
 * plus background consumers; a clean shutdown on SIGINT/SIGTERM.
 */
import { ConfigError, loadConfig } from "./infra/config.ts";
import { embeddedPaths, loadOrCreateSecrets } from "./infra/data_dir.ts";
import { ensureFirstAccount, type FirstAccount } from "./domains/foundation/bootstrap.ts";
import { createLogger, type Logger } from "./infra/log.ts";
import { createInfra, type Infra } from "./infra/build.ts";
import { StartupError, waitForDependencies } from "./infra/startup.ts";
import { DB_MIGRATIONS } from "./infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "./domains/migrations.ts";
import { createServices } from "./domains/services.ts";
import {
  createPasswordWorkerPool,
  type PasswordWorkerPool,
} from "./domains/foundation/password_workers.ts";
import { migrateObservabilityStore } from "./domains/observability/ck_schema.ts";
import { startSpanWriter } from "./domains/observability/writer.ts";
import {
  createModelCatalogue,
  loadModelCatalogue,
  type ModelCatalogue,
  ModelCatalogueError,
} from "./domains/llm/catalogue.ts";
import { CK_MIGRATIONS } from "./infra/ck/migrations.ts";
import { KAFKA_TOPICS } from "./infra/mq/topics.ts";
import { createApp } from "./routes/app.ts";
import { createOtlpDecodePool } from "./domains/observability/otlp/decode_pool.ts";
import { defaultGrowthMiB, startGcPacer } from "./infra/gc_pacer.ts";
import { UPLOAD_PATH } from "./routes/loop/files.ts";
import type { ConsumerWorker } from "./infra/mq/mod.ts";

/** A running server. */
export interface RunningServer {
  addr: Deno.NetAddr;
  /** Stops accepting, drains requests and consumers, flushes producers, closes clients. */
  shutdown(): Promise<void>;
}

/** Starts the server from an environment (`Deno.env.toObject()` in production). */
export async function start(env: Record<string, string | undefined>): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel });
  // Before any connection: a bad models file should fail start-up at once.
  const models = await loadModels(config.modelsFile, env, logger);
  const paths = embeddedPaths(config.dataDir);
  // Generated once and kept in the data directory: sessions and signed URLs outlive restarts.
  const allReal = config.mysql && config.redis && config.clickhouse && config.kafka && config.s3;
  const secrets = allReal && config.sessionSecret ? undefined : await loadOrCreateSecrets(paths);
  const infra = await createInfra(config, logger, { objects: secrets?.objects });
  if (infra.embedded.length) {
    logger.info("embedded services", { services: infra.embedded, data_dir: paths.root });
  }
  const workers: ConsumerWorker[] = [];
  try {
    await waitForDependencies(infra.dependencies, { timeoutMs: config.startupTimeoutMs, logger });
    const applied = await infra.db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
    if (applied.length) logger.info("applied database migrations", { migrations: applied });
    await infra.ck.migrate(CK_MIGRATIONS);
    await migrateObservabilityStore(infra.ck, config.spanTtlDays);
    await infra.storage.ensureBucket();
    await infra.mq.ensureTopics(KAFKA_TOPICS);
    workers.push(await infra.mq.startDelayForwarder());
  } catch (err) {
    await infra.close().catch(() => {});
    throw err;
  }

  if (!config.sessionSecret && config.redis) {
    logger.warn(
      `COZE_LOOP_SESSION_SECRET is not set: sessions are signed with a secret kept in ` +
        `${paths.secrets}; instances that share Redis need one shared secret`,
    );
  }
  const sessionSecret = config.sessionSecret ?? secrets!.session;
  const hasher = passwordHasher(config.passwordWorkers, logger);
  if (hasher) workers.push(hasher);
  const otlpDecoder = createOtlpDecodePool({ size: config.otlpWorkers, logger });
  workers.push(otlpDecoder);
  workers.push(
    startGcPacer({ growthMiB: config.gcPacerMiB ?? defaultGrowthMiB(!config.clickhouse) }),
  );
  const services = createServices(infra, {
    logger,
    sessionSecret,
    models,
    maxUploadBytes: config.maxUploadBytes,
    promptHubQps: config.promptHubQps,
    datasetMaxItems: config.datasetMaxItems,
    llmTimeoutMs: config.llmTimeoutMs,
    exptItemTimeoutMs: config.exptItemTimeoutMs,
    exptWorkspaceConcurrency: config.exptWorkspaceConcurrency,
    accounts: { hasher, registerPerMinute: config.registerPerMinute },
  });
  workers.push(services.sandbox);
  try {
    workers.push(await startSpanWriter({ mq: infra.mq, ck: infra.ck }, config.spanWriter));
    workers.push(await services.annotations.startRetryWorker());
    workers.push(await services.dataIo.worker.start());
    workers.push(await services.experimentResults.worker.start());
    workers.push(await services.experiments.pipeline.startWorkers());
    workers.push(await services.health.start({ intervalMs: config.healthProbeIntervalMs }));
  } catch (err) {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await infra.close().catch(() => {});
    throw err;
  }
  if (infra.embedded.includes("mysql")) {
    const first = await ensureFirstAccount({ db: infra.db, ...services }, config.firstAccount);
    if (first) printFirstAccount(first, config.publicUrl);
  }
  const app = createApp({
    logger,
    ...services,
    secureCookies: config.secureCookies,
    streamedPaths: [UPLOAD_PATH],
    localObjects: infra.localObjects,
    maxDecodedBytes: config.maxDecodedBytes,
    otlpDecoder,
  });
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      logger.info("listening", { url: `http://${hostname}:${port}` }),
  }, app.fetch);

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= drain({ server, workers, infra, logger, timeoutMs: config.shutdownTimeoutMs });
  return { addr: server.addr as Deno.NetAddr, shutdown };
}

// What the first start created, for the person who started the server: once, on stdout
// (never in the log, which may be shipped elsewhere).
function printFirstAccount(first: FirstAccount, url: string): void {
  console.log([
    "",
    "  Coze Loop is ready. A first account was created (shown once, keep it):",
    `    web UI login   ${url}/auth/login   email ${first.email}   password ${first.password}`,
    `    workspace id   ${first.workspaceId}`,
    `    SDK token      ${first.token}`,
    "  The official SDKs (Python, Go, JS) read these variables:",
    `    export COZELOOP_API_BASE_URL=${url}`,
    `    export COZELOOP_WORKSPACE_ID=${first.workspaceId}`,
    `    export COZELOOP_API_TOKEN=${first.token}`,
    "",
  ].join("\n"));
}

// argon2id in a pool of workers, off the event loop; 0 workers: on it (the baseline the
// register benchmark compares with).
function passwordHasher(
  workers: number | undefined,
  logger: Logger,
): PasswordWorkerPool | undefined {
  return workers === 0 ? undefined : createPasswordWorkerPool({ size: workers, logger });
}

// The models file names api keys by environment variable; `env` resolves them.
async function loadModels(
  file: string | undefined,
  env: Record<string, string | undefined>,
  logger: Logger,
): Promise<ModelCatalogue> {
  if (!file) {
    logger.warn("COZE_LOOP_MODELS_FILE is not set: the model catalogue is empty");
    return createModelCatalogue([]);
  }
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new ModelCatalogueError(
      `Cannot read the models file ${file} (COZE_LOOP_MODELS_FILE): ${(err as Error).message}`,
    );
  }
  const catalogue = loadModelCatalogue(text, env, file);
  logger.info("loaded the model catalogue", { file, models: catalogue.size });
  return catalogue;
}

async function drain(o: {
  server: Deno.HttpServer;
  workers: ConsumerWorker[];
  infra: Infra;
  logger: Logger;
  timeoutMs: number;
}): Promise<void> {
  o.logger.info("shutting down");
  const steps = (async () => {
    await o.server.shutdown(); // stop accepting; in-flight requests finish
    await Promise.allSettled(o.workers.map((w) => w.stop())); // consumers finish their message
    await o.infra.close(); // producers flush, pools close
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      o.logger.warn("shutdown timed out, exiting anyway", { timeout_ms: o.timeoutMs });
      resolve();
    }, o.timeoutMs);
  });
  await Promise.race([steps, timeout]);
  clearTimeout(timer);
  o.logger.info("stopped");
}

if (import.meta.main) {
  // A stray error thrown from a library callback must not take every request down with it:
  // log it (with no request to answer) and keep serving.
  const fatal = createLogger();
  globalThis.addEventListener("error", (e) => {
    e.preventDefault();
    fatal.error("uncaught error", {
      error: e.error instanceof Error ? e.error.message : String(e.error),
    });
  });
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    fatal.error("unhandled rejection", {
      error: e.reason instanceof Error ? e.reason.message : String(e.reason),
    });
  });
  try {
    const server = await start(Deno.env.toObject());
    const onSignal = async () => {
      await server.shutdown();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  } catch (err) {
    // Expected start-up failures get one plain sentence, not a stack trace.
    if (err instanceof ConfigError || err instanceof StartupError) {
      console.error(err.message);
    } else {
      console.error(`Cannot start: ${err instanceof Error ? err.message : String(err)}`);
    }
    Deno.exit(1);
  }
}
