/**
 * Thin wrapper over ioredis: one connection with reconnects that never give up, commands
 * that fail fast (not queue forever) while Redis is down, and connection failures mapped to
 * ServiceUnavailableError naming the server.
 */
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { ServiceUnavailableError } from "../errors.ts";

/** Connection settings for Redis. */
export interface RedisOptions {
  host: string;
  port: number;
  password?: string;
  db?: number;
  /** Fail a command that gets no answer within this time (default 5 s). */
  commandTimeoutMs?: number;
}

/** The Redis connection every Redis-backed service shares. */
export interface RedisClient {
  /** The ioredis instance, for the services built on it (cache, lock, limiter, idgen). */
  readonly raw: Redis;
  /** host:port, for error messages. */
  readonly address: string;
  /** Runs a command, mapping transport failures to ServiceUnavailableError. */
  call<T>(fn: (r: Redis) => Promise<T>): Promise<T>;
  /** A Lua script run by EVALSHA (loaded on first NOSCRIPT), mapped like `call`. */
  script(lua: string): (keys: string[], args: (string | number)[]) => Promise<unknown>;
  /** Round trip; throws ServiceUnavailableError when Redis does not answer. */
  ping(): Promise<void>;
  /** Closes the connection after pending replies. */
  close(): Promise<void>;
}

/** Creates the client; it connects in the background and reconnects forever. */
export function createRedisClient(options: RedisOptions): RedisClient {
  const address = `${options.host}:${options.port}`;
  const raw = new Redis({
    host: options.host,
    port: options.port,
    password: options.password || undefined,
    db: options.db ?? 0,
    lazyConnect: true,
    connectTimeout: 3_000,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    // While disconnected, a command waits for one reconnect attempt at most, then fails;
    // callers get an error in seconds instead of hanging, and reconnects continue.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    enableAutoPipelining: true,
  });
  // ioredis emits 'error' on every failed reconnect (without a listener Node prints them);
  // the last one explains the generic "max retries" error that commands then fail with.
  let lastConnectionError: unknown;
  raw.on("error", (err) => (lastConnectionError = err));
  raw.on("ready", () => (lastConnectionError = undefined));
  let connecting: Promise<void> | undefined;
  const ensureConnected = () => {
    if (raw.status === "wait") connecting ??= raw.connect().catch(() => {});
    return connecting;
  };

  const call = async <T>(fn: (r: Redis) => Promise<T>): Promise<T> => {
    await ensureConnected();
    try {
      return await fn(raw);
    } catch (err) {
      const retriesExhausted = /max retries per request/i.test((err as Error)?.message ?? "");
      throw mapRedisError(
        retriesExhausted && lastConnectionError ? lastConnectionError : err,
        address,
      );
    }
  };

  const script = (lua: string) => {
    const sha = createHash("sha1").update(lua).digest("hex");
    return (keys: string[], args: (string | number)[]) =>
      call(async (r) => {
        try {
          return await r.evalsha(sha, keys.length, ...keys, ...args);
        } catch (err) {
          // A restarted Redis has an empty script cache: EVAL loads it again.
          if (!String((err as Error)?.message).startsWith("NOSCRIPT")) throw err;
          return await r.eval(lua, keys.length, ...keys, ...args);
        }
      });
  };

  return {
    raw,
    address,
    call,
    script,
    async ping() {
      await call((r) => r.ping());
    },
    async close() {
      if (raw.status === "wait" || raw.status === "end") return;
      await raw.quit().catch(() => raw.disconnect());
    },
  };
}

const TRANSPORT =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|max retries per request|Command timed out|Stream isn't writeable|connect ENOENT|NOAUTH|WRONGPASS/i;

/** Maps transport-level failures to ServiceUnavailableError; Redis reply errors pass through. */
export function mapRedisError(err: unknown, address: string): unknown {
  const msg = (err as Error)?.message ?? "";
  if (err instanceof ServiceUnavailableError) return err;
  if (TRANSPORT.test(msg)) return new ServiceUnavailableError("Redis", address, err);
  return err;
}
