/**
 * ID generator: 64-bit ids laid out like the reference's,
 * `unix seconds << 32 | millisecond << 22 | counter (8 bits) << 14 | server id (14 bits)`.
 */

/** Hands out unique 64-bit ids. */
export interface IdGenerator {
  /** One new id. */
  genId(): Promise<bigint>;
  /** `n` new ids, increasing. */
  genIds(n: number): Promise<bigint[]>;
}

/** Ids one server can hand out per millisecond (8-bit counter). */
export const IDS_PER_MS = 256;
/** Largest server id (14 bits). */
export const MAX_SERVER_ID = 0x3fff;

/** Builds an id from its parts. */
export function composeId(ms: number, counter: number, serverId: number): bigint {
  const seconds = BigInt(Math.floor(ms / 1000));
  const millis = BigInt(ms % 1000);
  return (seconds << 32n) | (millis << 22n) | (BigInt(counter) << 14n) | BigInt(serverId);
}

/** Splits an id into its parts (epoch ms, counter, server id). */
export function decomposeId(id: bigint): { ms: number; counter: number; serverId: number } {
  const seconds = Number(id >> 32n);
  const millis = Number((id >> 22n) & 0x3ffn);
  return {
    ms: seconds * 1000 + millis,
    counter: Number((id >> 14n) & 0xffn),
    serverId: Number(id & 0x3fffn),
  };
}
