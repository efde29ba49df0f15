/** What the inner thread needs from an engine (Python or JS). Types only. */
import type { RunAnswer, RunTask } from "./_protocol.ts";

/** A loaded engine: runs one task synchronously. */
export interface Engine {
  run(task: RunTask): Omit<RunAnswer, "id">;
}

/** Output kept per run, bounded: the first `max` characters, then a marker. */
export class Output {
  text = "";
  #dropped = 0;
  constructor(readonly max: number) {}
  /** Appends what the code printed. */
  push(s: string): void {
    const room = this.max - this.text.length;
    if (room >= s.length) this.text += s;
    else {
      if (room > 0) this.text += s.slice(0, room);
      this.#dropped += s.length - Math.max(0, room);
    }
  }
  /** The kept output, with a note of what was dropped. */
  done(): string {
    return this.#dropped
      ? `${this.text}\n[... ${this.#dropped} more characters dropped]`
      : this.text;
  }
}
