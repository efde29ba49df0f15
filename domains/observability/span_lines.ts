/**
 * Stored rows as the ingestion topic carries them: JSON lines, packed into messages below
 * Kafka's default message limit (1 MB). Used on the event loop (SDK spans) and in the OTLP
 * decoding workers, which hand over finished messages.
 */
import type { SpanRow } from "./types.ts";

/** Largest message body: rows are packed into messages below it. */
export const MAX_MESSAGE_BYTES = 900 * 1024;

/** `rows` as JSON lines, in as many messages as their size needs. */
export function packRows(rows: SpanRow[]): Uint8Array[] {
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  let text = "";
  for (const row of rows) {
    const line = JSON.stringify(row) + "\n";
    // UTF-16 length: a lower bound of the UTF-8 size; a message may pass the bound by up
    // to three times its non-ASCII text, still well under the broker's 1 MB.
    if (text.length + line.length > MAX_MESSAGE_BYTES && text.length) {
      out.push(enc.encode(text));
      text = "";
    }
    text += line;
  }
  if (text.length) out.push(enc.encode(text));
  return out;
}
