/**
 * Builds every infrastructure service from the configuration: the real one where its address
 * is configured, the embedded one (data under `config.dataDir`) where it is not. Nothing
 * connects here; the first call (or the start-up checks) does. A real service's driver
 * (mysql2, ioredis, @clickhouse/client, kafkajs, the AWS SDK) is loaded only when that
 * service is configured: in zero-setup mode none is, which keeps ~11 MB of their code and
 * objects out of the V8 heap that every major collection marks.
 */
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
import type { Database } from "./db/mod.ts";
import { createSqliteDatabase } from "./db/sqlite.ts";
import type { AnalyticsDb } from "./ck/mod.ts";
import { type Cache, createRedisCache } from "./redis/cache.ts";
import { type Broadcast, createRedisBroadcast } from "./redis/broadcast.ts";
import { createRedisLocker, type Locker } from "./redis/lock.ts";
import { createRedisLimiter, type Limiter } from "./redis/limiter.ts";
import type { IdGenerator } from "./idgen/mod.ts";
import { createRedisIdGenerator } from "./idgen/redis.ts";
import { createLocalIdGenerator } from "./idgen/local.ts";
import type { MessageQueue } from "./mq/mod.ts";
import { createSqliteQueue } from "./mq/sqlite.ts";
import type { ObjectStorage } from "./storage/mod.ts";
import { createDurableCache } from "./memory/durable_cache.ts";
import { createMemoryBroadcast } from "./memory/broadcast.ts";
import { createMemoryLocker } from "./memory/lock.ts";
import { createMemoryLimiter } from "./memory/limiter.ts";
import { embeddedPaths } from "./data_dir.ts";
import { createChdbAnalytics } from "./ck/chdb.ts";
import { createFsStorage, type FsObjectStorage } from "./storage/fs.ts";

/** Every infrastructure service, by interface. */
export interface Infra {
  db: Database;
  ck: AnalyticsDb;
  cache: Cache;
  broadcast: Broadcast;
  locker: Locker;
  limiter: Limiter;
  ids: IdGenerator;
  mq: MessageQueue;
  storage: ObjectStorage;
  /** The embedded object storage (same as `storage`), whose presigned URLs the app serves. */
  localObjects?: FsObjectStorage;
  /** Which services run embedded in this process (by name: mysql, redis, ...). */
  embedded: ServiceName[];
  /** One entry per dependency, for start-up checks and /healthz. */
  dependencies: { name: string; address: string; ping(): Promise<void> }[];
  /** Closes every client (after consumers have stopped). */
  close(): Promise<void>;
}

/** The services, by the name of the real one. */
export type ServiceName = "mysql" | "redis" | "clickhouse" | "kafka" | "s3";

type Part<T> = { value: T; dependency: Infra["dependencies"][number]; close(): Promise<void> };

/**
 * Builds the infrastructure for `config`. `secrets.objects` signs the embedded storage's
 * URLs (needed when the object storage is embedded).
 */
export async function createInfra(
  config: Config,
  logger: Logger,
  secrets: { objects?: string } = {},
): Promise<Infra> {
  const paths = embeddedPaths(config.dataDir);
  const embedded: ServiceName[] = [];

  const m = config.mysql;
  const db: Part<Database> = m
    ? await (async () => {
      const { createMysqlDatabase } = await import("./db/mysql.ts");
      const value = createMysqlDatabase(m);
      return {
        value,
        dependency: { name: "mysql", address: `${m.host}:${m.port}`, ping: () => value.ping() },
        close: () => value.close(),
      };
    })()
    : (() => {
      embedded.push("mysql");
      const value = createSqliteDatabase({ path: paths.relational });
      return {
        value,
        dependency: { name: "sqlite", address: paths.relational, ping: () => value.ping() },
        close: () => value.close(),
      };
    })();

  const redisConfig = config.redis;
  const kv = redisConfig
    ? await (async () => {
      const { createRedisClient } = await import("./redis/client.ts");
      const redis = createRedisClient(redisConfig);
      const broadcast = createRedisBroadcast(redis);
      return {
        cache: createRedisCache(redis),
        broadcast,
        locker: createRedisLocker(redis),
        limiter: createRedisLimiter(redis),
        ids: createRedisIdGenerator(redis, { serverId: config.serverId }) as IdGenerator,
        dependency: { name: "redis", address: redis.address, ping: () => redis.ping() },
        close: async () => {
          await broadcast.close();
          await redis.close();
        },
      };
    })()
    : (() => {
      embedded.push("redis");
      // Opened (and loaded) here: a bad file fails start-up with its path, before anything.
      const cache = createDurableCache({ path: paths.cache });
      const ids = createLocalIdGenerator({ serverId: config.serverId, dataDir: paths.ids });
      const broadcast = createMemoryBroadcast();
      return {
        cache: cache as Cache,
        broadcast,
        locker: createMemoryLocker(),
        limiter: createMemoryLimiter() as Limiter,
        ids: ids as IdGenerator,
        dependency: undefined,
        close: async () => {
          await broadcast.close();
          await ids.close();
          await cache.close();
        },
      };
    })();

  const kafka = config.kafka;
  const mq: Part<MessageQueue> = kafka
    ? await (async () => {
      const { createKafkaQueue } = await import("./mq/kafka.ts");
      const value = createKafkaQueue({
        ...kafka,
        logger: logger.child({ component: "kafka" }),
      });
      return {
        value,
        dependency: {
          name: "kafka",
          address: kafka.brokers.join(","),
          ping: () => value.ping(),
        },
        close: () => value.close(),
      };
    })()
    : (() => {
      embedded.push("kafka");
      const value = createSqliteQueue({
        path: paths.queue,
        logger: logger.child({ component: "queue" }),
      });
      return {
        value,
        dependency: { name: "queue", address: paths.queue, ping: () => value.ping() },
        close: () => value.close(),
      };
    })();

  const clickhouse = config.clickhouse;
  const ck: Part<AnalyticsDb> = clickhouse
    ? await (async () => {
      const { createClickHouse } = await import("./ck/clickhouse.ts");
      const value = createClickHouse(clickhouse);
      return {
        value,
        dependency: {
          name: "clickhouse",
          address: clickhouse.url,
          ping: () => value.ping(),
        },
        close: () => value.close(),
      };
    })()
    : (() => {
      embedded.push("clickhouse");
      const value = createChdbAnalytics({
        dataDir: paths.analytics,
        database: "cozeloop",
        libPath: config.chdbLib,
        // A compiled binary carries the engine inside: it is copied out once, not per start.
        libCacheDir: Deno.build.standalone ? `${paths.root}/engine` : undefined,
      });
      return {
        value,
        dependency: { name: "analytics", address: paths.analytics, ping: () => value.ping() },
        close: () => value.close(),
      };
    })();

  let localObjects: FsObjectStorage | undefined;
  const s3 = config.s3;
  const storage: Part<ObjectStorage> = s3
    ? await (async () => {
      const { createS3Storage } = await import("./storage/s3.ts");
      const value = createS3Storage(s3);
      return {
        value,
        dependency: {
          name: "s3",
          address: `${s3.endpoint}/${s3.bucket}`,
          ping: () => value.ping(),
        },
        close: () => value.close(),
      };
    })()
    : (() => {
      embedded.push("s3");
      if (!secrets.objects) throw new Error("the embedded object storage needs a signing secret");
      const value = createFsStorage({
        dir: paths.objects,
        publicUrl: config.publicUrl,
        secret: secrets.objects,
      });
      localObjects = value;
      return {
        value,
        dependency: { name: "objects", address: paths.objects, ping: () => value.ping() },
        close: () => value.close(),
      };
    })();

  const dependencies = [db.dependency, kv.dependency, ck.dependency, mq.dependency]
    .concat(storage.dependency)
    .filter((d): d is Infra["dependencies"][number] => d !== undefined);

  return {
    db: db.value,
    ck: ck.value,
    cache: kv.cache,
    broadcast: kv.broadcast,
    locker: kv.locker,
    limiter: kv.limiter,
    ids: kv.ids,
    mq: mq.value,
    storage: storage.value,
    localObjects,
    embedded,
    dependencies,
    async close() {
      await mq.close();
      await Promise.allSettled([db.close(), ck.close(), kv.close(), storage.close()]);
    },
  };
}
