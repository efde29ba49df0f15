/**
 * Two versions of a prompt compared (the draft counts as one): `?diff=1.0.0..1.1.0` names
 * them, so a comparison is a link. A summary of what changed, line counts, and the two side
 * by side.
 */
import { useEffect } from "react";
import { DiffView } from "../components/editor/mod.tsx";
import { Notice } from "../components/notice.tsx";
import { EmptyState, Loading } from "../components/page.tsx";
import type { AsyncState } from "../hooks/use_async.ts";
import {
  detailText,
  diffSummary,
  DRAFT,
  formatDiffRange,
  lineChanges,
  parseDiffRange,
} from "../lib/prompt_diff.ts";
import type { Model, PromptDetail } from "./prompt_data.ts";
import type { Versions } from "./prompt_versions_tab.tsx";

/** The comparison tab. */
export function DiffTab({ range, onRange, versions, draft, models }: {
  range: string | undefined;
  onRange: (range: string) => void;
  versions: AsyncState<Versions>;
  draft: PromptDetail;
  models: Model[] | undefined;
}) {
  const data = versions.data;
  const given = parseDiffRange(range);
  const commits = data?.commits ?? [];
  // Without a range: the newest version against the one before (or the draft).
  const from = given?.from ?? commits[1]?.version ?? commits[0]?.version ?? "";
  const to = given?.to ?? (commits[1] ? commits[0].version : DRAFT);
  // The comparison shown is in the URL too, so that it is a link.
  useEffect(() => {
    if (!given && from) onRange(formatDiffRange(from, to));
  }, [given === undefined, from, to]);
  if (!data) return versions.error ? null : <Loading />;
  const names = [DRAFT, ...commits.map((c) => c.version)];
  if (commits.length === 0) {
    return <EmptyState>No version to compare yet: commit the draft first.</EmptyState>;
  }
  const detailOf = (v: string) => (v === DRAFT ? draft : data.details[v]);
  const missing = [from, to].filter((v) => !detailOf(v));
  const name = (id: string) => models?.find((m) => m.model_id === id)?.name ?? "";
  const before = detailText(detailOf(from), name);
  const after = detailText(detailOf(to), name);
  const summary = diffSummary(detailOf(from), detailOf(to));
  const lines = lineChanges(before, after);
  const label = (v: string) => (v === DRAFT ? "your draft" : v);
  const picker = (which: "from" | "to", value: string) => (
    <select
      className="select"
      aria-label={which === "from" ? "Compare from" : "Compare to"}
      value={value}
      onChange={(e) =>
        onRange(
          which === "from"
            ? formatDiffRange(e.target.value, to)
            : formatDiffRange(from, e.target.value),
        )}
    >
      {names.map((v) => <option key={v} value={v}>{label(v)}</option>)}
      {!names.includes(value) && <option value={value}>{value}</option>}
    </select>
  );
  return (
    <div className="stack">
      <div className="row">
        {picker("from", from)}
        <span aria-hidden="true">→</span>
        {picker("to", to)}
        <span className="muted" data-testid="diff-line-changes">
          +{lines.added} −{lines.removed} lines
        </span>
      </div>
      {missing.length > 0
        ? <Notice kind="error">No version {missing.join(" or ")} of this prompt.</Notice>
        : (
          <>
            <section className="card stack" aria-label="What changed">
              {summary.length === 0
                ? <p className="muted" style={{ margin: 0 }}>No difference.</p>
                : (
                  <ul className="diff-summary" data-testid="diff-summary">
                    {summary.map((s) => <li key={s}>{s}</li>)}
                  </ul>
                )}
            </section>
            <div className="row" style={{ justifyContent: "space-between" }}>
              <strong>{label(from)}</strong>
              <strong>{label(to)}</strong>
            </div>
            <div data-testid="version-diff">
              <DiffView before={before} after={after} collapseUnchanged />
            </div>
          </>
        )}
    </div>
  );
}
