/**
 * Saves a value a moment after it stops changing (a draft while it is edited), one save at
 * a time, and says where it stands: saved, unsaved, saving, failed, or not saveable (invalid).
 * `flush` saves at once (before a commit); a pending change is saved on unmount too.
 */
import { useCallback, useEffect, useRef, useState } from "react";

/** Where the value stands. */
export type SaveStatus = "saved" | "unsaved" | "saving" | "error" | "invalid";

/** What useAutosave gives. */
export interface Autosave<T> {
  status: SaveStatus;
  error: unknown;
  /** Saves now if needed; resolves once the value is saved (rejects if that fails). */
  flush: () => Promise<void>;
  /** Takes `value` as saved (after loading or replacing it). */
  reset: (value: T) => void;
}

/** Autosaves `value` with `save` `delayMs` after its last change, unless `valid` is false. */
export function useAutosave<T>(
  value: T,
  save: (value: T) => Promise<void>,
  options: { delayMs?: number; valid?: boolean } = {},
): Autosave<T> {
  const { delayMs = 800, valid = true } = options;
  const [status, setStatus] = useState<SaveStatus>("saved");
  const [error, setError] = useState<unknown>();
  const saved = useRef(JSON.stringify(value));
  const latest = useRef({ value, valid, save });
  latest.current = { value, valid, save };
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const running = useRef<Promise<void> | undefined>(undefined);

  const run = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    // One save at a time: wait for the one in flight, then see whether more is needed.
    while (running.current) await running.current.catch(() => {});
    const { value, valid, save } = latest.current;
    const json = JSON.stringify(value);
    if (json === saved.current) return setStatus("saved");
    if (!valid) return setStatus("invalid");
    setStatus("saving");
    const p = save(value).then(() => {
      saved.current = json;
    });
    running.current = p;
    try {
      await p;
      setError(undefined);
      setStatus(JSON.stringify(latest.current.value) === json ? "saved" : "unsaved");
    } catch (err) {
      setError(err);
      setStatus("error");
      throw err;
    } finally {
      running.current = undefined;
    }
  }, []);

  const json = JSON.stringify(value);
  useEffect(() => {
    if (json === saved.current) return;
    if (!valid) {
      setStatus("invalid");
      return;
    }
    setStatus("unsaved");
    timer.current = setTimeout(() => run().catch(() => {}), delayMs);
    return () => clearTimeout(timer.current);
  }, [json, valid, delayMs, run]);

  // Leaving the page with a change not saved yet: save it anyway.
  useEffect(() => () => {
    const { value, valid, save } = latest.current;
    if (valid && JSON.stringify(value) !== saved.current) save(value).catch(() => {});
  }, []);

  const reset = useCallback((v: T) => {
    clearTimeout(timer.current);
    saved.current = JSON.stringify(v);
    setStatus("saved");
    setError(undefined);
  }, []);

  return { status, error, flush: run, reset };
}
