/**
 * A text field whose value lives in the URL: typed into local state at once, written to the
 * URL on each change, and reset when the URL changes otherwise (back, a link). The router
 * applies writes a moment later: a URL value this field wrote is an echo, not a change, even
 * when newer keystrokes have been typed since.
 */
import { useEffect, useRef, useState } from "react";

/** The field's text and its change handler. */
export function useUrlText(
  inUrl: string | undefined,
  write: (text: string) => void,
): [string, (text: string) => void] {
  const [text, setText] = useState(inUrl ?? "");
  const pending = useRef<string[]>([]);
  const current = useRef(text);
  useEffect(() => {
    const v = inUrl ?? "";
    const echo = pending.current.indexOf(v);
    if (echo >= 0) {
      pending.current = pending.current.slice(echo + 1);
      return;
    }
    pending.current = [];
    if (v !== current.current) {
      current.current = v;
      setText(v);
    }
  }, [inUrl]);
  const change = (t: string) => {
    current.current = t;
    setText(t);
    pending.current.push(t);
    write(t);
  };
  return [text, change];
}
