/** Page state in the query string (lib/url_state.ts), as a React hook over the router. */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { type ParamSpecs, patchUrlState, readUrlState, type UrlState } from "../lib/url_state.ts";

/**
 * The state `specs` describes, read from the URL, and a setter that writes a patch to it
 * (pushing a history entry unless `replace`, for typing in a filter).
 */
export function useUrlState<S extends ParamSpecs>(
  specs: S,
): [
  UrlState<S>,
  (patch: Partial<UrlState<S>>, options?: { replace?: boolean }) => void,
] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readUrlState(params, specs), [params, specs]);
  const set = useCallback(
    (patch: Partial<UrlState<S>>, options?: { replace?: boolean }) =>
      setParams((prev) => patchUrlState(prev, specs, patch), {
        replace: options?.replace,
      }),
    [setParams, specs],
  );
  return [state, set];
}
