/**
 * A Server-Sent Events reader for the playground's stream (`debug_streaming`): bytes arrive
 * in arbitrary pieces; events are `data: <json>` lines ended by a blank line, and a failure
 * is `event: error` with `{code, msg}` (WIRE.md). CRLF is tolerated, comments are skipped.
 */

/** One event: its name (`message` unless named) and its data, parsed as JSON when it is. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** An incremental parser: feed it text, it returns the events completed so far. */
export class SseParser {
  #buffer = "";
  #event = "";
  #data: string[] = [];

  /** Adds text; returns the events it completed. */
  push(text: string): SseEvent[] {
    this.#buffer += text;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.#buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.#buffer.slice(0, nl);
      const width = this.#buffer.startsWith("\r\n", nl) ? 2 : 1;
      // A lone CR at the very end may be the first half of CRLF: wait for more.
      if (this.#buffer[nl] === "\r" && nl + 1 === this.#buffer.length) break;
      this.#buffer = this.#buffer.slice(nl + width);
      const e = this.#line(line);
      if (e) out.push(e);
    }
    return out;
  }

  /** Ends the stream: an event without its final blank line still counts. */
  end(): SseEvent[] {
    const rest = this.#buffer ? this.push("\n") : [];
    const last = this.#line("");
    return last ? [...rest, last] : rest;
  }

  #line(line: string): SseEvent | undefined {
    if (line === "") {
      if (!this.#data.length) {
        this.#event = "";
        return undefined;
      }
      const text = this.#data.join("\n");
      const e = { event: this.#event || "message", data: parseData(text) };
      this.#event = "";
      this.#data = [];
      return e;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    return undefined;
  }
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a streamed response body, yielding its events as they complete. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const reader = body.pipeThrough(
    new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>,
  ).getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(value);
    }
    yield* parser.end();
  } finally {
    // Also when the reader stops early: the connection closes and the server stops the run.
    await reader.cancel().catch(() => {});
  }
}
