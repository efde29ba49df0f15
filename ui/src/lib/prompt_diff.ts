/**
 * Comparing prompt versions: a prompt detail as a stable, readable text (what the side by
 * side diff shows), a summary of what changed between two details (messages, variables,
 * model, tools), line counts of a diff, and the `?diff=1.0.0..1.1.0` range of the URL.
 */

/** The parts of a PromptDetail the console reads (the API's type is wider). */
export interface DetailLike {
  prompt_template?: {
    template_type?: string;
    messages?: { role: string; content?: string; parts?: { type: string; text?: string }[] }[];
    variable_defs?: { key: string; type?: string; desc?: string }[];
  };
  tools?: {
    type?: string;
    function?: { name: string; description?: string; parameters?: string };
  }[];
  tool_call_config?: { tool_choice?: string; tool_choice_specification?: { name?: string } };
  model_config?: Record<string, unknown>;
}

/** Model parameters in the order they are shown. */
export const MODEL_PARAMS = [
  "temperature",
  "max_tokens",
  "top_p",
  "top_k",
  "presence_penalty",
  "frequency_penalty",
  "json_mode",
] as const;

/** The detail as text, one fact per line, the same for equal details. */
export function detailText(d: DetailLike | undefined, modelName?: (id: string) => string): string {
  const t = d?.prompt_template;
  const lines: string[] = [`template: ${t?.template_type ?? "normal"}`];
  (t?.messages ?? []).forEach((m, i) => {
    lines.push("", `## message ${i + 1}: ${m.role}`);
    if (m.content !== undefined) lines.push(...m.content.split("\n"));
    for (const p of m.parts ?? []) lines.push(`[${p.type}] ${p.text ?? ""}`);
  });
  lines.push("", "## variables");
  for (const v of t?.variable_defs ?? []) {
    lines.push(`${v.key}: ${v.type ?? "string"}${v.desc ? ` (${v.desc})` : ""}`);
  }
  const mc = d?.model_config ?? {};
  lines.push("", "## model");
  if (mc.model_id !== undefined && mc.model_id !== "") {
    const id = String(mc.model_id);
    const name = modelName?.(id);
    lines.push(`model: ${name ? `${name} (${id})` : id}`);
  }
  for (const k of MODEL_PARAMS) if (mc[k] !== undefined) lines.push(`${k}: ${mc[k]}`);
  lines.push("", "## tools");
  for (const tool of d?.tools ?? []) {
    const f = tool.function;
    if (!f) continue;
    lines.push(`${f.name}${f.description ? `: ${f.description}` : ""}`);
    if (f.parameters) lines.push(...prettyJson(f.parameters).split("\n").map((l) => `  ${l}`));
  }
  const tc = d?.tool_call_config;
  if (tc?.tool_choice) {
    const spec = tc.tool_choice_specification?.name;
    lines.push(`tool_choice: ${tc.tool_choice}${spec ? ` ${spec}` : ""}`);
  }
  return lines.join("\n") + "\n";
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** What changed between two details, as short sentences (empty when nothing did). */
export function diffSummary(a: DetailLike | undefined, b: DetailLike | undefined): string[] {
  const out: string[] = [];
  const ta = a?.prompt_template;
  const tb = b?.prompt_template;
  if ((ta?.template_type ?? "normal") !== (tb?.template_type ?? "normal")) {
    out.push(`template type: ${ta?.template_type ?? "normal"} → ${tb?.template_type ?? "normal"}`);
  }
  const ma = (ta?.messages ?? []).map((m) => JSON.stringify(m));
  const mb = (tb?.messages ?? []).map((m) => JSON.stringify(m));
  const changed = Math.min(ma.length, mb.length);
  const edited = ma.slice(0, changed).filter((m, i) => m !== mb[i]).length;
  const parts = [
    edited ? `${edited} changed` : "",
    mb.length > ma.length ? `${mb.length - ma.length} added` : "",
    ma.length > mb.length ? `${ma.length - mb.length} removed` : "",
  ].filter(Boolean);
  if (parts.length) out.push(`messages: ${parts.join(", ")}`);
  const keyed = (label: string, x: string[], y: string[]) => {
    const added = y.filter((k) => !x.includes(k));
    const removed = x.filter((k) => !y.includes(k));
    if (added.length || removed.length) {
      out.push(
        `${label}: ${[...added.map((k) => `+${k}`), ...removed.map((k) => `-${k}`)].join(" ")}`,
      );
    }
  };
  const va = (ta?.variable_defs ?? []).map((v) => `${v.key}`);
  const vb = (tb?.variable_defs ?? []).map((v) => `${v.key}`);
  keyed("variables", va, vb);
  const typeOf = (defs: DetailLike["prompt_template"], k: string) =>
    defs?.variable_defs?.find((v) => v.key === k)?.type ?? "string";
  for (const k of vb.filter((k) => va.includes(k))) {
    if (typeOf(ta, k) !== typeOf(tb, k)) {
      out.push(`variable ${k}: ${typeOf(ta, k)} → ${typeOf(tb, k)}`);
    }
  }
  const ca = a?.model_config ?? {};
  const cb = b?.model_config ?? {};
  for (const k of ["model_id", ...MODEL_PARAMS]) {
    const x = ca[k] === undefined ? "unset" : String(ca[k]);
    const y = cb[k] === undefined ? "unset" : String(cb[k]);
    if (x !== y) out.push(`${k === "model_id" ? "model" : k}: ${x} → ${y}`);
  }
  const names = (d: DetailLike | undefined) => (d?.tools ?? []).map((t) => t.function?.name ?? "");
  keyed("tools", names(a), names(b));
  for (const n of names(b).filter((n) => names(a).includes(n))) {
    const x = JSON.stringify(a?.tools?.find((t) => t.function?.name === n));
    const y = JSON.stringify(b?.tools?.find((t) => t.function?.name === n));
    if (x !== y) out.push(`tool ${n} changed`);
  }
  const choice = (d: DetailLike | undefined) => d?.tool_call_config?.tool_choice ?? "auto";
  if (choice(a) !== choice(b)) out.push(`tool choice: ${choice(a)} → ${choice(b)}`);
  return out;
}

/** Lines added and removed between two texts (a longest common subsequence of lines). */
export function lineChanges(before: string, after: string): { added: number; removed: number } {
  const a = before.split("\n");
  const b = after.split("\n");
  // Common prefix and suffix first: prompt edits are usually local.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  if (x.length * y.length > 4_000_000) return { added: y.length, removed: x.length };
  let prev = new Uint32Array(y.length + 1);
  let cur = new Uint32Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  const common = prev[y.length];
  return { added: y.length - common, removed: x.length - common };
}

/** The two versions of `?diff=a..b`, or undefined when it does not name two. */
export function parseDiffRange(
  text: string | undefined,
): { from: string; to: string } | undefined {
  const m = /^([^.\s][^\s]*?)\.\.([^.\s][^\s]*)$/.exec(text ?? "");
  return m ? { from: m[1], to: m[2] } : undefined;
}

/** `a..b` for the URL. */
export function formatDiffRange(from: string, to: string): string {
  return `${from}..${to}`;
}

/** The pseudo-version of the caller's draft in a comparison. */
export const DRAFT = "draft";
