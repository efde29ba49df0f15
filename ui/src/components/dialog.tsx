/**
 * A modal dialog on the native <dialog> element: focus is trapped and Escape closes it by
 * the browser's own rules; `open` drives it from state (or the URL).
 */
import { type ReactNode, useEffect, useRef } from "react";
import { Button } from "./button.tsx";

/** Props of Dialog. */
export interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Extra class on the <dialog> (e.g. "palette"). */
  className?: string;
  /** Hide the title bar (the palette has none). */
  bare?: boolean;
}

/** A modal dialog. */
export function Dialog(
  { open, title, onClose, children, className, bare }: DialogProps,
) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ""}`}
      aria-label={title}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === ref.current) onClose();
      }}
    >
      {open && !bare && (
        <div className="dialog-head">
          <h2>{title}</h2>
          <Button
            variant="ghost"
            size="sm"
            aria-label="Close"
            onClick={onClose}
          >
            ✕
          </Button>
        </div>
      )}
      {open &&
        (bare ? children : <div className="dialog-body">{children}</div>)}
    </dialog>
  );
}
