/** Inline messages: information, success, warning and errors (ApiError's message shown). */
import type { ReactNode } from "react";

/** Props of Notice. */
export interface NoticeProps {
  kind?: "info" | "success" | "warning" | "error";
  children: ReactNode;
}

/** A message box; errors are announced to screen readers. */
export function Notice({ kind = "info", children }: NoticeProps) {
  return (
    <div
      className={`notice notice-${kind}`}
      role={kind === "error" ? "alert" : "status"}
    >
      {children}
    </div>
  );
}

/** A readable message for anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An error notice, or nothing when there is no error. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return <Notice kind="error">{errorMessage(error)}</Notice>;
}
