/**
 * `…/space/:spaceId/observation/traces`: the span list (time, root/all/LLM spans, the filter
 * tree, columns, pages) and, with `?trace_id=` (and `&span_id=`), one trace: its span tree
 * with the waterfall and the selected span. Every state is in the query (lib/trace_list.ts).
 */
import { useCallback, useMemo } from "react";
import { useParams } from "react-router";
import { Button } from "../components/button.tsx";
import { CopyButton } from "../components/copy_button.tsx";
import { Page } from "../components/page.tsx";
import { useUrlState } from "../hooks/use_url_state.ts";
import {
  addCondition,
  decodeFilters,
  emptyFilters,
  encodeFilters,
  type FilterCondition,
} from "../lib/span_filters.ts";
import { TRACES_URL } from "../lib/trace_list.ts";
import { SpanList } from "./traces/span_list.tsx";
import { TraceView } from "./traces/trace_view.tsx";
import "./traces/traces.css";
import "./traces/trace_view.css";

/** The traces page. */
export default function TracesPage() {
  const { spaceId = "" } = useParams();
  const [url, setUrl] = useUrlState(TRACES_URL);
  const traceId = url.trace_id?.toLowerCase();

  const closeTrace = useCallback(
    () =>
      setUrl({
        trace_id: undefined,
        span_id: undefined,
        q: undefined,
        collapsed: undefined,
      }),
    [setUrl],
  );
  // "Filter by this value": back to the list, over all spans, with the condition added.
  const filterBy = useCallback((c: FilterCondition) => {
    const current = decodeFilters(url.filters) ?? emptyFilters();
    setUrl({
      filters: encodeFilters(addCondition(current, c)),
      type: "all",
      page: undefined,
      builder: true,
      trace_id: undefined,
      span_id: undefined,
      q: undefined,
      collapsed: undefined,
    });
  }, [url.filters, setUrl]);

  const actions = useMemo(() =>
    traceId
      ? (
        <>
          <CopyButton text={traceId} label="Copy trace id" />
          <Button onClick={closeTrace}>← Back to the list</Button>
        </>
      )
      : undefined, [traceId, closeTrace]);

  return (
    <Page
      title="Traces"
      description={traceId
        ? (
          <>
            Trace <code data-testid="open-trace-id">{traceId}</code>
          </>
        )
        : "Traces and spans reported by the SDKs and OpenTelemetry."}
      actions={actions}
    >
      <div className="traces-wide" hidden />
      {traceId
        ? (
          <TraceView
            key={`${spaceId}/${traceId}`}
            spaceId={spaceId}
            traceId={traceId}
            url={url}
            setUrl={setUrl}
            onFilter={filterBy}
          />
        )
        : <SpanList key={spaceId} spaceId={spaceId} url={url} setUrl={setUrl} />}
    </Page>
  );
}
