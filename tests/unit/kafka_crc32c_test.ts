/**
 * kafkajs's record-batch CRC-32C replaced by hash-wasm's (infra/mq/_kafka_crc32c.ts): the
 * values are CRC-32C's, and kafkajs's own encoder calls the replacement. (The real broker
 * refuses a batch with a wrong CRC, so the Kafka suites check it end to end too.)
 */
import assert from "node:assert/strict";
import {
  kafkaCrc32c,
  kafkaCrcCalls,
  kafkaCrcImplementation,
  useWasmCrc32c,
} from "../../infra/mq/_kafka_crc32c.ts";
import "../../infra/mq/kafka.ts";
import V0 from "kafkajs/src/protocol/recordBatch/v0/index.js";
import RecordV0 from "kafkajs/src/protocol/recordBatch/record/v0/index.js";

/** CRC-32C bit by bit, straight from its definition. */
function reference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

type Encoded = { buffer: Uint8Array };
const { RecordBatch } = V0 as unknown as {
  RecordBatch: (o: { records: unknown[] }) => Promise<Encoded>;
};
const Record = RecordV0 as unknown as (o: Record<string, unknown>) => unknown;

/** A batch as kafkajs encodes it, and the CRC its header carries over the bytes after it. */
async function encodedBatch(value: Uint8Array) {
  const batch = await RecordBatch({ records: [Record({ key: "k", value, headers: {} })] });
  const bytes = new Uint8Array(batch.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // FirstOffset (8) Length (4) PartitionLeaderEpoch (4) Magic (1) CRC (4), then what it covers.
  return { claimed: view.getUint32(17), covered: bytes.subarray(21) };
}

Deno.test("the WebAssembly CRC-32C gives CRC-32C's values", async () => {
  assert.equal(await useWasmCrc32c(), true);
  assert.equal(kafkaCrcImplementation(), "wasm");
  assert.equal(kafkaCrc32c(new TextEncoder().encode("123456789")), 0xe3069283); // check value
  assert.equal(kafkaCrc32c(new Uint8Array(0)), 0);
  for (const n of [1, 7, 64, 1000, 70_000, 1 << 20]) {
    const bytes = randomBytes(n);
    assert.equal(kafkaCrc32c(bytes), reference(bytes), `${n} bytes`);
    const view = bytes.subarray(3, n - 1); // an unaligned view into a larger buffer
    assert.equal(kafkaCrc32c(view), reference(view), `view of ${n} bytes`);
  }
});

Deno.test("kafkajs's record batch encoder calls it, and its header's CRC is right", async () => {
  await useWasmCrc32c();
  const before = kafkaCrcCalls();
  const { claimed, covered } = await encodedBatch(randomBytes(300_000));
  assert.equal(kafkaCrcCalls(), before + 1);
  assert.equal(claimed, reference(covered));
});
