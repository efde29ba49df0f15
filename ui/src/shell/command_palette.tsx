/**
 * The command palette (mod+K): jump to a page, a workspace, a trace by id or a prompt by
 * key. Arrow keys choose, Enter opens, Escape closes.
 */
import { useEffect, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { Dialog } from "../components/dialog.tsx";
import { api } from "../api/client.ts";
import {
  looksLikePromptKey,
  looksLikeTraceId,
  type PaletteCommand,
  rankCommands,
} from "../lib/palette.ts";
import { promptPath, tracesPath } from "../lib/paths.ts";

/** Props of CommandPalette. */
export interface CommandPaletteProps {
  open: boolean;
  onClose: () => void;
  /** The fixed commands: pages and workspaces. */
  commands: PaletteCommand[];
  /** The workspace traces and prompts are looked up in. */
  spaceId?: string;
}

/** The palette dialog. */
export function CommandPalette(
  { open, onClose, commands, spaceId }: CommandPaletteProps,
) {
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState(0);
  const prompts = usePromptMatches(open ? query : "", spaceId);
  const navigate = useNavigate();

  // Cleared on closing, not on opening: what is typed right as it opens is never wiped.
  useEffect(() => {
    if (!open) {
      setQuery("");
      setSelected(0);
    }
  }, [open]);

  const results = useMemo(() => {
    const out: PaletteCommand[] = [];
    const q = query.trim();
    if (spaceId && looksLikeTraceId(q)) {
      out.push({
        id: `trace:${q}`,
        group: "Traces",
        title: `Open trace ${q}`,
        to: tracesPath(spaceId, { traceId: q.toLowerCase() }),
      });
    }
    out.push(...rankCommands(q, commands), ...prompts);
    return out.slice(0, 50);
  }, [query, commands, prompts, spaceId]);

  const go = (c: PaletteCommand | undefined) => {
    if (!c) return;
    onClose();
    navigate(c.to);
  };

  return (
    <Dialog
      open={open}
      title="Command palette"
      onClose={onClose}
      className="palette"
      bare
    >
      <input
        className="palette-input"
        autoFocus
        placeholder="Jump to a page, a workspace, a trace id or a prompt key…"
        aria-label="Command"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-results"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setSelected(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") setSelected((i) => Math.min(i + 1, results.length - 1));
          else if (e.key === "ArrowUp") {
            setSelected((i) => Math.max(i - 1, 0));
          } else if (e.key === "Enter") go(results[selected]);
          else return;
          e.preventDefault();
        }}
      />
      <ul id="palette-results" className="palette-list" role="listbox">
        {results.length === 0 && <li className="palette-item muted">No match</li>}
        {results.map((c, i) => (
          <li
            key={c.id}
            role="option"
            aria-selected={i === selected}
            className="palette-item"
            onMouseMove={() => setSelected(i)}
            onClick={() => go(c)}
          >
            <span>{c.title}</span>
            <span className="muted">{c.group}</span>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

// Prompts whose key or name matches the query, looked up as the user types (debounced).
function usePromptMatches(
  query: string,
  spaceId: string | undefined,
): PaletteCommand[] {
  const [found, setFound] = useState<PaletteCommand[]>([]);
  useEffect(() => {
    const q = query.trim();
    if (!spaceId || q.length < 2 || !looksLikePromptKey(q)) {
      setFound([]);
      return;
    }
    const ac = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const r = await api.post("/api/prompt/v1/prompts/list", {
          body: {
            workspace_id: spaceId,
            key_word: q,
            page_size: 10,
            page_num: 1,
          },
          signal: ac.signal,
        });
        setFound(r.prompts.map((p) => ({
          id: `prompt:${p.id}`,
          group: "Prompts",
          title: p.prompt_key,
          to: promptPath(spaceId, p.id),
        })));
      } catch {
        if (!ac.signal.aborted) setFound([]);
      }
    }, 200);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [query, spaceId]);
  return found;
}
