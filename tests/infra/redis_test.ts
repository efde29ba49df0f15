/** The Redis-backed services against the real Redis server. */
import { createRedisClient } from "../../infra/redis/client.ts";
import { createRedisCache } from "../../infra/redis/cache.ts";
import { createRedisLocker } from "../../infra/redis/lock.ts";
import { createRedisLimiter } from "../../infra/redis/limiter.ts";
import { createRedisIdGenerator } from "../../infra/idgen/redis.ts";
import { createRedisBroadcast } from "../../infra/redis/broadcast.ts";
import { broadcastContract } from "../contract/broadcast_contract.ts";
import { cacheContract } from "../contract/cache_contract.ts";
import { lockContract } from "../contract/lock_contract.ts";
import { limiterContract } from "../contract/limiter_contract.ts";
import { idgenContract } from "../contract/idgen_contract.ts";
import { testConfig } from "../_env.ts";

const client = () => createRedisClient(testConfig().redis);

cacheContract("redis", () => {
  const r = client();
  return Promise.resolve({ cache: createRedisCache(r, { prefix: "test:cache:" }), close: r.close });
});

lockContract("redis", () => {
  const ra = client();
  const rb = client();
  return Promise.resolve({
    a: createRedisLocker(ra, { prefix: "test:lock:" }),
    b: createRedisLocker(rb, { prefix: "test:lock:" }),
    close: async () => {
      await ra.close();
      await rb.close();
    },
  });
});

limiterContract("redis", () => {
  const r = client();
  return Promise.resolve({
    limiter: createRedisLimiter(r, { prefix: "test:rate:" }),
    close: r.close,
  });
});

idgenContract("redis", (serverId) => {
  const r = client();
  return Promise.resolve({
    ids: createRedisIdGenerator(r, { serverId, prefix: `test:idgen:` }),
    close: r.close,
  });
});

broadcastContract("redis", () => {
  const ra = client();
  const rb = client();
  const a = createRedisBroadcast(ra, { prefix: "test:bcast:" });
  const b = createRedisBroadcast(rb, { prefix: "test:bcast:" });
  return Promise.resolve({
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await ra.close();
      await rb.close();
    },
  });
});
