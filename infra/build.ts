/**
 * Builds every infrastructure client from the configuration. Nothing connects here; the
 * first call (or the start-up checks) does.
 */
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
import type { Database } from "./db/mod.ts";
import { createMysqlDatabase } from "./db/mysql.ts";
import type { AnalyticsDb } from "./ck/mod.ts";
import { createClickHouse } from "./ck/clickhouse.ts";
import { createRedisClient, type RedisClient } from "./redis/client.ts";
import { type Cache, createRedisCache } from "./redis/cache.ts";
import { type Broadcast, createRedisBroadcast } from "./redis/broadcast.ts";
import { createRedisLocker, type Locker } from "./redis/lock.ts";
import { createRedisLimiter, type Limiter } from "./redis/limiter.ts";
import type { IdGenerator } from "./idgen/mod.ts";
import { createRedisIdGenerator } from "./idgen/redis.ts";
import type { MessageQueue } from "./mq/mod.ts";
import { createKafkaQueue } from "./mq/kafka.ts";
import type { ObjectStorage } from "./storage/mod.ts";
import { createS3Storage } from "./storage/s3.ts";

/** Every infrastructure service, by interface. */
export interface Infra {
  db: Database;
  ck: AnalyticsDb;
  redis: RedisClient;
  cache: Cache;
  broadcast: Broadcast;
  locker: Locker;
  limiter: Limiter;
  ids: IdGenerator;
  mq: MessageQueue;
  storage: ObjectStorage;
  /** One entry per dependency, for start-up checks and /healthz. */
  dependencies: { name: string; address: string; ping(): Promise<void> }[];
  /** Closes every client (after consumers have stopped). */
  close(): Promise<void>;
}

/** Builds the infrastructure for `config`. */
export function createInfra(config: Config, logger: Logger): Infra {
  const db = createMysqlDatabase(config.mysql);
  const ck = createClickHouse(config.clickhouse);
  const redis = createRedisClient(config.redis);
  const mq = createKafkaQueue({ ...config.kafka, logger: logger.child({ component: "kafka" }) });
  const storage = createS3Storage(config.s3);
  const broadcast = createRedisBroadcast(redis);
  return {
    db,
    ck,
    redis,
    cache: createRedisCache(redis),
    broadcast,
    locker: createRedisLocker(redis),
    limiter: createRedisLimiter(redis),
    ids: createRedisIdGenerator(redis, { serverId: config.serverId }),
    mq,
    storage,
    dependencies: [
      {
        name: "mysql",
        address: `${config.mysql.host}:${config.mysql.port}`,
        ping: () => db.ping(),
      },
      { name: "redis", address: redis.address, ping: () => redis.ping() },
      { name: "clickhouse", address: config.clickhouse.url, ping: () => ck.ping() },
      { name: "kafka", address: config.kafka.brokers.join(","), ping: () => mq.ping() },
      {
        name: "s3",
        address: `${config.s3.endpoint}/${config.s3.bucket}`,
        ping: () => storage.ping(),
      },
    ],
    async close() {
      await mq.close();
      await Promise.allSettled([
        db.close(),
        ck.close(),
        broadcast.close(),
        redis.close(),
        storage.close(),
      ]);
    },
  };
}
