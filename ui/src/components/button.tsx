/** Buttons: primary, secondary (default), danger and ghost; small or regular. */
import type { ButtonHTMLAttributes } from "react";

/** Props of Button. */
export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: "primary" | "secondary" | "danger" | "ghost";
  size?: "sm" | "md";
  /** Shows the button busy and disabled. */
  busy?: boolean;
}

/** A button (type "button" unless given). */
export function Button(
  {
    variant = "secondary",
    size = "md",
    busy,
    className,
    disabled,
    children,
    ...rest
  }: ButtonProps,
) {
  const classes = [
    "btn",
    `btn-${variant}`,
    size === "sm" ? "btn-sm" : "",
    className ?? "",
  ];
  return (
    <button
      type="button"
      className={classes.filter(Boolean).join(" ")}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
    </button>
  );
}
