/**
 * Resource bounds for one render call. Rendering runs synchronously on the server's only
 * event loop, so a hostile template (huge ranges, exponential string doubling, deep nesting)
 * must fail fast instead of stalling every other request.
 */

/** Limits of one renderMessages call; every field has a default in DEFAULT_LIMITS. */
export interface RenderLimits {
  /** Largest rendered text of one message (content plus text parts), in UTF-8 bytes. */
  maxMessageBytes: number;
  /** Jinja2 expression/statement evaluations allowed across the whole call. */
  maxSteps: number;
  /** Largest list `range()` may build (the reference caps it at 10,000 too). */
  maxRangeSize: number;
  /** Largest list or mapping a Jinja2 expression may build. */
  maxItems: number;
  /** Wall-clock budget of the whole call; a backstop behind maxSteps. */
  maxMillis: number;
}

/** The defaults: 1 MiB per message like the reference, the rest sized so that a render stays well under a second. */
export const DEFAULT_LIMITS: RenderLimits = {
  maxMessageBytes: 1 << 20,
  maxSteps: 500_000,
  maxRangeSize: 10_000,
  maxItems: 100_000,
  maxMillis: 1_000,
};

/** A render stopped by one of the limits; the renderer turns it into `invalid param` naming the message. */
export class RenderLimitError extends Error {
  override name = "RenderLimitError";
}

/** Mutable counters shared by every message of one render call. */
export interface Budget {
  readonly limits: RenderLimits;
  steps: number;
  /** The step count at which the clock is read next (reading it every step costs too much). */
  clockAt: number;
  readonly deadline: number;
}

/** A fresh budget for one call. */
export function createBudget(limits: RenderLimits): Budget {
  return {
    limits,
    steps: limits.maxSteps,
    clockAt: limits.maxSteps,
    deadline: performance.now() + limits.maxMillis,
  };
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      // A surrogate pair is one code point of four bytes.
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
