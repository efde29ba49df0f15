/**
 * Redis-backed IdGenerator. The counter of a millisecond is a Redis INCRBY on a key per
 * (server id, ms), so processes sharing a server id still never collide. Within a process,
 * requests are queued and served in order by one Redis round trip per millisecond, so ids
 * increase in call order and concurrent callers share round trips.
 */
import type { RedisClient } from "../redis/client.ts";
import { composeId, type IdGenerator, IDS_PER_MS, MAX_SERVER_ID } from "./mod.ts";
import { type PendingIds, serveRound } from "./_id_queue.ts";

// KEYS[1] = counter key of the ms; ARGV = wanted, cap, ttl ms. Returns [first, count].
const TAKE = `
local wanted = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local c = redis.call('INCRBY', KEYS[1], wanted)
local first = c - wanted
if first == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if first >= cap then return {first, 0} end
if c > cap then c = cap end
return {first, c - first}
`;

/** Creates the generator for `serverId` (0..16383). */
export function createRedisIdGenerator(
  redis: RedisClient,
  options: { serverId: number; prefix?: string; now?: () => number },
): IdGenerator {
  const { serverId } = options;
  if (!Number.isInteger(serverId) || serverId < 0 || serverId > MAX_SERVER_ID) {
    throw new RangeError(`Server id ${serverId} is outside 0..${MAX_SERVER_ID}`);
  }
  const prefix = options.prefix ?? "id_generator:";
  const now = options.now ?? Date.now;
  const take = redis.script(TAKE);
  const queue: PendingIds[] = [];
  let lastMs = 0;
  let pumping = false;

  // Serves the queue head to tail; each round asks for every id still wanted.
  const pump = async () => {
    pumping = true;
    try {
      while (queue.length > 0) await serveRound(queue, fetchIds);
    } finally {
      pumping = false;
    }
  };

  const fetchIds = async (wanted: number): Promise<bigint[]> => {
    const ids: bigint[] = [];
    // Never below the last ms used (a clock stepping back must not reorder ids), and after a
    // spent ms, the next one.
    let floor = lastMs;
    while (ids.length < wanted) {
      // Like the reference (which borrows up to 8 ms), a spent ms may move on to the next one
      // before the clock does, but by at most MAX_AHEAD_MS; beyond that, wait for the clock.
      while (floor - now() > MAX_AHEAD_MS) await sleepMs(1);
      const ms = Math.max(now(), floor);
      const need = Math.min(wanted - ids.length, IDS_PER_MS);
      const [first, count] = await take([`${prefix}${serverId}:${ms}`], [
        need,
        IDS_PER_MS,
        60_000,
      ]) as [number, number];
      lastMs = ms;
      for (let i = 0; i < count; i++) ids.push(composeId(ms, first + i, serverId));
      floor = ids.length < wanted ? ms + 1 : ms;
    }
    return ids;
  };

  const genIds = (n: number): Promise<bigint[]> => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Cannot generate ${n} ids`);
    if (n === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      queue.push({ n, resolve, reject });
      if (!pumping) pump();
    });
  };

  return {
    genIds,
    genId: async () => (await genIds(1))[0],
  };
}

const MAX_AHEAD_MS = 1;

function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
