/**
 * IdGenerator for the single-process mode: the same 64-bit layout as the Redis generator, with
 * the counter kept in this process. Generators with the same server id in one process share
 * one sequence, so they never collide (as processes sharing a Redis do not).
 *
 * Time never goes back for the ids: an id's millisecond is the later of the clock and the
 * last millisecond used (the next one once its 256 ids are spent). When the clock is behind
 * that by at most `maxWaitMs` (ids borrowed a millisecond ahead, a small clock step back, a
 * quick restart), the generator waits for the clock, so an id's time stays the real time.
 * When it is further behind (a large step back), it does not stall: it goes on from the last
 * millisecond used, ahead of the clock, until the clock catches up.
 *
 * Restarts: with a `dataDir`, a high-water mark is kept on disk: before handing out ids of a
 * millisecond past the mark, the generator durably moves the mark `reserveMs` further (in the
 * background when half of the reserve is used, so this rarely waits). A restarted generator
 * starts after the mark, so it never repeats an id of the previous run, whatever the clock
 * did meanwhile. Without `dataDir` it only skips the millisecond the previous run may have
 * borrowed, which is safe for restarts that take longer than a few ms on a clock that did not
 * step back.
 */
import { composeId, type IdGenerator, IDS_PER_MS, MAX_SERVER_ID } from "./mod.ts";
import { markPath, readMark, writeMark } from "./_high_water.ts";
import { type PendingIds, serveRound } from "./_id_queue.ts";

/** Options of the local generator. */
export interface LocalIdGeneratorOptions {
  /** 0..16383, as for the Redis generator. */
  serverId: number;
  /** Directory for the high-water mark (`idgen-<serverId>.json`); created when missing. */
  dataDir?: string;
  /** Wall clock, epoch ms (default Date.now). */
  now?: () => number;
  /** Longest wait for a clock that is behind the ids already handed out (default 1,000 ms). */
  maxWaitMs?: number;
  /** How far the on-disk mark is moved ahead of the millisecond in use (default 500 ms). */
  reserveMs?: number;
  /** Told when ids go ahead of a clock found behind by more than maxWaitMs. */
  onClockBehind?: (behindMs: number) => void;
}

/** A local generator; close() lets another generator of its server id start afresh. */
export interface LocalIdGenerator extends IdGenerator {
  /** Waits for pending calls and the mark; later calls reject. */
  close(): Promise<void>;
}

interface Sequence {
  options: Required<Omit<LocalIdGeneratorOptions, "dataDir" | "onClockBehind">>;
  onClockBehind?: (behindMs: number) => void;
  file?: string;
  dataDir?: string;
  ready: Promise<void>;
  /** Last millisecond used, and how many of its ids are gone. */
  lastMs: number;
  used: number;
  /** Ids may be handed out up to this millisecond (the durable mark); Infinity without file. */
  reserved: number;
  writing?: Promise<void>;
  queue: PendingIds[];
  pumping?: Promise<void>;
  refs: number;
  warned: boolean;
}

// A spent millisecond may move on to the next one before the clock does, by at most this.
const MAX_AHEAD_MS = 1;

const sequences = new Map<number, Sequence>();
// Last millisecond used by closed generators without a data dir, for a later one in-process.
const ended = new Map<number, number>();

/** Creates (or joins) the local generator of `serverId`. */
export function createLocalIdGenerator(options: LocalIdGeneratorOptions): LocalIdGenerator {
  const { serverId } = options;
  if (!Number.isInteger(serverId) || serverId < 0 || serverId > MAX_SERVER_ID) {
    throw new RangeError(`Server id ${serverId} is outside 0..${MAX_SERVER_ID}`);
  }
  let seq = sequences.get(serverId);
  if (seq && seq.dataDir !== options.dataDir) {
    throw new Error(
      `Server id ${serverId} already generates ids in this process with data dir ` +
        `${seq.dataDir ?? "(none)"}; a second one with ${
          options.dataDir ?? "(none)"
        } could collide`,
    );
  }
  if (!seq) {
    seq = openSequence(options);
    sequences.set(serverId, seq);
  }
  seq.refs++;
  const s = seq;
  let closed = false;

  const genIds = (n: number): Promise<bigint[]> => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Cannot generate ${n} ids`);
    if (closed) return Promise.reject(new Error(`Id generator ${serverId} is closed`));
    if (n === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      s.queue.push({ n, resolve, reject });
      s.pumping ??= pump(s, serverId);
    });
  };

  return {
    genIds,
    genId: async () => (await genIds(1))[0],
    async close() {
      if (closed) return;
      closed = true;
      while (s.pumping) await s.pumping;
      await s.writing?.catch(() => {});
      if (--s.refs > 0) return;
      sequences.delete(serverId);
      if (!s.file) ended.set(serverId, s.lastMs);
    },
  };
}

function openSequence(options: LocalIdGeneratorOptions): Sequence {
  const seq: Sequence = {
    options: {
      serverId: options.serverId,
      now: options.now ?? Date.now,
      maxWaitMs: options.maxWaitMs ?? 1_000,
      reserveMs: options.reserveMs ?? 500,
    },
    onClockBehind: options.onClockBehind,
    dataDir: options.dataDir,
    file: options.dataDir === undefined ? undefined : markPath(options.dataDir, options.serverId),
    ready: Promise.resolve(),
    lastMs: 0,
    used: IDS_PER_MS,
    reserved: Infinity,
    queue: [],
    refs: 0,
    warned: false,
  };
  seq.ready = start(seq, options.dataDir);
  // Failures surface on the first call; this keeps an unused generator from crashing us.
  seq.ready.catch(() => {});
  return seq;
}

// Where the previous run stopped: the ms after the mark (or after the borrowed ms).
async function start(seq: Sequence, dataDir: string | undefined): Promise<void> {
  const { serverId, now } = seq.options;
  if (dataDir === undefined || seq.file === undefined) {
    seq.lastMs = Math.max(Math.floor(now()) + MAX_AHEAD_MS, ended.get(serverId) ?? 0);
    return;
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const mark = await readMark(seq.file, serverId);
  seq.lastMs = mark ?? 0;
  seq.reserved = mark ?? -1;
}

async function pump(seq: Sequence, serverId: number): Promise<void> {
  try {
    await seq.ready;
    while (seq.queue.length > 0) {
      await serveRound(seq.queue, (wanted) => take(seq, serverId, wanted));
    }
  } catch (err) {
    for (const p of seq.queue.splice(0, seq.queue.length)) p.reject(err);
  } finally {
    seq.pumping = undefined;
  }
}

async function take(seq: Sequence, serverId: number, wanted: number): Promise<bigint[]> {
  const { now, maxWaitMs, reserveMs } = seq.options;
  const ids: bigint[] = [];
  while (ids.length < wanted) {
    const clock = Math.floor(now());
    const floor = seq.used < IDS_PER_MS ? seq.lastMs : seq.lastMs + 1;
    const behind = floor - clock;
    if (behind > MAX_AHEAD_MS) {
      if (behind <= maxWaitMs) {
        await sleep(behind - MAX_AHEAD_MS);
        continue;
      }
      if (!seq.warned) seq.onClockBehind?.(behind);
      seq.warned = true;
    } else seq.warned = false;
    const ms = Math.max(clock, floor);
    if (ms > seq.reserved) await reserve(seq, ms);
    else if (ms + reserveMs / 2 > seq.reserved && !seq.writing) reserve(seq, ms).catch(() => {});
    if (ms !== seq.lastMs) {
      seq.lastMs = ms;
      seq.used = 0;
    }
    const count = Math.min(IDS_PER_MS - seq.used, wanted - ids.length);
    for (let i = 0; i < count; i++) ids.push(composeId(ms, seq.used + i, serverId));
    seq.used += count;
  }
  return ids;
}

// Moves the durable mark past `ms`; one write at a time.
function reserve(seq: Sequence, ms: number): Promise<void> {
  if (seq.writing) {
    return seq.writing.then(() => (ms > seq.reserved ? reserve(seq, ms) : undefined));
  }
  const mark = ms + seq.options.reserveMs;
  const writing = writeMark(seq.file!, seq.options.serverId, mark)
    .then(() => void (seq.reserved = Math.max(seq.reserved, mark)))
    .finally(() => {
      if (seq.writing === writing) seq.writing = undefined;
    });
  seq.writing = writing;
  return writing;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
