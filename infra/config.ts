/**
 * Configuration schema. `main.ts` passes the environment in; nothing here reads it. Names
 * follow Coze Loop's (`COZE_LOOP_MYSQL_DOMAIN`, ...). A malformed variable fails start-up
 * with a message naming it.
 *
 * Every service is independently real or embedded: setting its address (the `_DOMAIN`
 * variable, or `COZE_LOOP_KAFKA_BROKERS`) selects the real service, whose other required
 * variables must then be set too; leaving it unset runs the embedded implementation, which
 * keeps its data under `COZE_LOOP_DATA_DIR`.
 */
import { z } from "zod";

const port = (fallback?: number) => {
  const s = z.coerce.number().int().min(1).max(65535);
  return fallback === undefined ? s : s.default(fallback);
};
const required = z.string().trim().min(1);

const EnvSchema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: port(8888),
  COZE_LOOP_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  COZE_LOOP_SERVER_ID: z.coerce.number().int().min(0).max(16383).default(1),
  COZE_LOOP_STARTUP_TIMEOUT_S: z.coerce.number().min(0).max(600).default(30),
  COZE_LOOP_SHUTDOWN_TIMEOUT_S: z.coerce.number().min(0).max(600).default(15),
  COZE_LOOP_SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  COZE_LOOP_COOKIE_SECURE: z.enum(["true", "false", "1", "0"]).default("false"),
  COZE_LOOP_MODELS_FILE: z.string().optional(),
  COZE_LOOP_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(10_240).default(256),
  COZE_LOOP_LLM_TIMEOUT_S: z.coerce.number().min(1).max(3600).default(120),
  COZE_LOOP_EXPT_ITEM_TIMEOUT_S: z.coerce.number().min(1).max(86_400).default(600),
  COZE_LOOP_EXPT_WORKSPACE_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(100),
  COZE_LOOP_PROMPT_HUB_QPS: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  COZE_LOOP_DATASET_MAX_ITEMS: z.coerce.number().int().min(1).max(10_000_000).default(30_000),
  COZE_LOOP_SPAN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  COZE_LOOP_SPAN_WRITER_MAX_WAIT_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  COZE_LOOP_SPAN_WRITER_MIN_BYTES: z.coerce.number().int().min(1).max(64 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  COZE_LOOP_HEALTH_PROBE_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(5),
  COZE_LOOP_MAX_DECODED_BODY_MB: z.coerce.number().int().min(1).max(1024).default(20),
  COZE_LOOP_PASSWORD_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  COZE_LOOP_OTLP_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  COZE_LOOP_GC_PACER_MIB: z.coerce.number().int().min(0).max(65_536).optional(),
  COZE_LOOP_REGISTER_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(20),

  COZE_LOOP_DATA_DIR: z.string().default("./data"),
  COZE_LOOP_ADMIN_EMAIL: z.string().email().default("admin@cozeloop.local"),
  COZE_LOOP_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  COZE_LOOP_PUBLIC_URL: z.string().url().optional(),
  COZE_LOOP_CHDB_LIB: z.string().optional(),

  COZE_LOOP_MYSQL_DOMAIN: required.optional(),
  COZE_LOOP_MYSQL_PORT: port(3306),
  COZE_LOOP_MYSQL_USER: required.optional(),
  COZE_LOOP_MYSQL_PASSWORD: z.string().default(""),
  COZE_LOOP_MYSQL_DATABASE: required.optional(),
  COZE_LOOP_MYSQL_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(20),

  COZE_LOOP_REDIS_DOMAIN: required.optional(),
  COZE_LOOP_REDIS_PORT: port(6379),
  COZE_LOOP_REDIS_PASSWORD: z.string().default(""),
  COZE_LOOP_REDIS_DB: z.coerce.number().int().min(0).max(15).default(0),

  COZE_LOOP_CLICKHOUSE_PROTOCOL: z.enum(["http", "https"]).default("http"),
  COZE_LOOP_CLICKHOUSE_DOMAIN: required.optional(),
  COZE_LOOP_CLICKHOUSE_PORT: port(8123),
  COZE_LOOP_CLICKHOUSE_USER: z.string().default("default"),
  COZE_LOOP_CLICKHOUSE_PASSWORD: z.string().default(""),
  COZE_LOOP_CLICKHOUSE_DATABASE: required.optional(),

  COZE_LOOP_OSS_PROTOCOL: z.enum(["http", "https"]).default("http"),
  COZE_LOOP_OSS_DOMAIN: required.optional(),
  COZE_LOOP_OSS_PORT: port(9000),
  COZE_LOOP_OSS_REGION: z.string().default("us-east-1"),
  COZE_LOOP_OSS_USER: required.optional(),
  COZE_LOOP_OSS_PASSWORD: required.optional(),
  COZE_LOOP_OSS_BUCKET: required.optional(),

  COZE_LOOP_KAFKA_BROKERS: z.string().trim().regex(
    /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/,
    "expected a comma-separated list of host:port",
  ).optional(),
  COZE_LOOP_KAFKA_CLIENT_ID: z.string().default("coze-loop"),
});

// A service's address selects the real one; then the rest of its settings are needed.
const REQUIRED_WITH: [string, string[]][] = [
  ["COZE_LOOP_MYSQL_DOMAIN", ["COZE_LOOP_MYSQL_USER", "COZE_LOOP_MYSQL_DATABASE"]],
  ["COZE_LOOP_CLICKHOUSE_DOMAIN", ["COZE_LOOP_CLICKHOUSE_DATABASE"]],
  ["COZE_LOOP_OSS_DOMAIN", [
    "COZE_LOOP_OSS_USER",
    "COZE_LOOP_OSS_PASSWORD",
    "COZE_LOOP_OSS_BUCKET",
  ]],
];

function missingWith(env: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const [address, wanted] of REQUIRED_WITH) {
    if (env[address] === undefined) continue;
    for (const name of wanted) {
      if (env[name] === undefined) lines.push(`  ${name}: is required with ${address}`);
    }
  }
  return lines;
}

/** Validated, typed configuration for every part of the server. */
export interface Config {
  host: string;
  port: number;
  logLevel: "debug" | "info" | "warn" | "error";
  serverId: number;
  startupTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** Signs web sessions; when unset, a secret generated once and kept in the data directory. */
  sessionSecret?: string;
  secureCookies: boolean;
  /** YAML file of the LLM model catalogue. */
  modelsFile?: string;
  maxUploadBytes: number;
  /** Longest wait for a model provider's answer (per chunk when streaming). */
  llmTimeoutMs: number;
  /** Longest run of one experiment item (target and evaluators together). */
  exptItemTimeoutMs: number;
  /** Experiment items running at once in one workspace, every process together. */
  exptWorkspaceConcurrency: number;
  /** `prompts/mget` requests per second allowed per workspace. */
  promptHubQps: number;
  /** Largest (and default) item count of datasets other than evaluation sets. */
  datasetMaxItems: number;
  /** Retention of spans and annotations in ClickHouse. */
  spanTtlDays: number;
  /** The span writer's batches: the broker waits for this many bytes or this long. */
  spanWriter: { maxWaitMs: number; minBytes: number };
  /** How often /healthz's dependency probes run. */
  healthProbeIntervalMs: number;
  /** Largest decompressed request body (gzip OTLP bodies). */
  maxDecodedBytes: number;
  /** argon2id workers; 0 hashes on the event loop; undefined: min(2, cores - 1), at least 1. */
  passwordWorkers?: number;
  /** OTLP decoding workers; 0 decodes on the event loop; undefined: none on <= 2 cores, else min(4, cores - 2). */
  otlpWorkers?: number;
  /**
   * External memory growth (MiB) after which a major GC is asked for; 0 leaves it to V8;
   * undefined: gc_pacer.ts's default for where the ClickHouse engine runs.
   */
  gcPacerMiB?: number;
  /** Registrations allowed per client address and minute. */
  registerPerMinute: number;
  /** Where embedded services keep their data (and the server its generated secrets). */
  dataDir: string;
  /** The first account, registered when an embedded database has no user yet. */
  firstAccount: { email: string; password?: string };
  /** How clients reach this server (presigned URLs of embedded storage). */
  publicUrl: string;
  /** The embedded ClickHouse engine library, when not found by itself. */
  chdbLib?: string;
  /** Each service: its real settings, or undefined for the embedded implementation. */
  mysql?: {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
    poolSize: number;
  };
  redis?: { host: string; port: number; password: string; db: number };
  clickhouse?: { url: string; user: string; password: string; database: string };
  s3?: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    bucket: string;
  };
  kafka?: { brokers: string[]; clientId: string };
}

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validates the environment and builds the configuration; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const given = withoutEmpty(env);
  const parsed = EnvSchema.safeParse(given);
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => {
    const name = i.path.join(".");
    const missing = env[name] === undefined || env[name] === "";
    return `  ${name}: ${missing ? "is required" : i.message}`;
  });
  lines.push(...missingWith(given));
  if (!parsed.success || lines.length) {
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.COZE_LOOP_LOG_LEVEL,
    serverId: e.COZE_LOOP_SERVER_ID,
    startupTimeoutMs: e.COZE_LOOP_STARTUP_TIMEOUT_S * 1000,
    shutdownTimeoutMs: e.COZE_LOOP_SHUTDOWN_TIMEOUT_S * 1000,
    sessionSecret: e.COZE_LOOP_SESSION_SECRET,
    secureCookies: e.COZE_LOOP_COOKIE_SECURE === "true" || e.COZE_LOOP_COOKIE_SECURE === "1",
    modelsFile: e.COZE_LOOP_MODELS_FILE,
    maxUploadBytes: e.COZE_LOOP_MAX_UPLOAD_MB * 1024 * 1024,
    promptHubQps: e.COZE_LOOP_PROMPT_HUB_QPS,
    datasetMaxItems: e.COZE_LOOP_DATASET_MAX_ITEMS,
    llmTimeoutMs: e.COZE_LOOP_LLM_TIMEOUT_S * 1000,
    exptItemTimeoutMs: e.COZE_LOOP_EXPT_ITEM_TIMEOUT_S * 1000,
    exptWorkspaceConcurrency: e.COZE_LOOP_EXPT_WORKSPACE_CONCURRENCY,
    spanTtlDays: e.COZE_LOOP_SPAN_TTL_DAYS,
    spanWriter: {
      maxWaitMs: e.COZE_LOOP_SPAN_WRITER_MAX_WAIT_MS,
      minBytes: e.COZE_LOOP_SPAN_WRITER_MIN_BYTES,
    },
    healthProbeIntervalMs: Math.round(e.COZE_LOOP_HEALTH_PROBE_INTERVAL_S * 1000),
    maxDecodedBytes: e.COZE_LOOP_MAX_DECODED_BODY_MB * 1024 * 1024,
    passwordWorkers: e.COZE_LOOP_PASSWORD_WORKERS,
    otlpWorkers: e.COZE_LOOP_OTLP_WORKERS,
    gcPacerMiB: e.COZE_LOOP_GC_PACER_MIB,
    registerPerMinute: e.COZE_LOOP_REGISTER_PER_MINUTE,
    dataDir: e.COZE_LOOP_DATA_DIR,
    firstAccount: { email: e.COZE_LOOP_ADMIN_EMAIL, password: e.COZE_LOOP_ADMIN_PASSWORD },
    publicUrl: (e.COZE_LOOP_PUBLIC_URL ?? `http://${urlHost(e.HOST)}:${e.PORT}`).replace(
      /\/+$/,
      "",
    ),
    chdbLib: e.COZE_LOOP_CHDB_LIB,
    mysql: e.COZE_LOOP_MYSQL_DOMAIN === undefined ? undefined : {
      host: e.COZE_LOOP_MYSQL_DOMAIN,
      port: e.COZE_LOOP_MYSQL_PORT,
      user: e.COZE_LOOP_MYSQL_USER!,
      password: e.COZE_LOOP_MYSQL_PASSWORD,
      database: e.COZE_LOOP_MYSQL_DATABASE!,
      poolSize: e.COZE_LOOP_MYSQL_POOL_SIZE,
    },
    redis: e.COZE_LOOP_REDIS_DOMAIN === undefined ? undefined : {
      host: e.COZE_LOOP_REDIS_DOMAIN,
      port: e.COZE_LOOP_REDIS_PORT,
      password: e.COZE_LOOP_REDIS_PASSWORD,
      db: e.COZE_LOOP_REDIS_DB,
    },
    clickhouse: e.COZE_LOOP_CLICKHOUSE_DOMAIN === undefined ? undefined : {
      url:
        `${e.COZE_LOOP_CLICKHOUSE_PROTOCOL}://${e.COZE_LOOP_CLICKHOUSE_DOMAIN}:${e.COZE_LOOP_CLICKHOUSE_PORT}`,
      user: e.COZE_LOOP_CLICKHOUSE_USER,
      password: e.COZE_LOOP_CLICKHOUSE_PASSWORD,
      database: e.COZE_LOOP_CLICKHOUSE_DATABASE!,
    },
    s3: e.COZE_LOOP_OSS_DOMAIN === undefined ? undefined : {
      endpoint: `${e.COZE_LOOP_OSS_PROTOCOL}://${e.COZE_LOOP_OSS_DOMAIN}:${e.COZE_LOOP_OSS_PORT}`,
      region: e.COZE_LOOP_OSS_REGION,
      accessKeyId: e.COZE_LOOP_OSS_USER!,
      secretAccessKey: e.COZE_LOOP_OSS_PASSWORD!,
      bucket: e.COZE_LOOP_OSS_BUCKET!,
    },
    kafka: e.COZE_LOOP_KAFKA_BROKERS === undefined ? undefined : {
      brokers: e.COZE_LOOP_KAFKA_BROKERS.split(","),
      clientId: e.COZE_LOOP_KAFKA_CLIENT_ID,
    },
  };
}

// The host part of a URL for a listen address (the wildcard means this machine).
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

// An empty variable means "unset", so defaults apply and required ones are reported missing.
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}
