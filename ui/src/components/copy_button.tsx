/** A button that copies a text to the clipboard and says so. */
import { useState } from "react";
import { Button } from "./button.tsx";

/** Copies `text`; shows "Copied" for a moment. */
export function CopyButton(
  { text, label = "Copy" }: { text: string; label?: string },
) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch { /* no clipboard permission: the text stays selectable */ }
      }}
    >
      {copied ? "Copied" : label}
    </Button>
  );
}
