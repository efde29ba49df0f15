/** Loads data for a component: the latest call wins, an unmounted component is left alone. */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

/** What useAsync gives. */
export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a change). */
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; `signal` aborts a superseded call. */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): AsyncState<T> {
  const [state, setState] = useState<
    { data?: T; error?: unknown; loading: boolean }
  >({
    loading: true,
  });
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    latest.current(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (error) => !ac.signal.aborted && setState({ error, loading: false }),
    );
    return () => ac.abort();
    // `load` is read through a ref: callers pass a new closure on every render.
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload,
  };
}
