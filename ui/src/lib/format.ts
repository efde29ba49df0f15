/** Display formats for times and expiries. */

/** A time (ms since the epoch, or seconds when `unit` says so) as local date and time. */
export function formatTime(
  value: number | string,
  unit: "ms" | "s" = "ms",
): string {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return "—";
  const d = new Date(unit === "s" ? n * 1000 : n);
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A token's expiry (seconds; 0 = never) relative to `nowMs`. */
export function expiryLabel(expireAtS: number | string, nowMs: number): string {
  const at = Number(expireAtS);
  if (!at) return "never expires";
  const days = (at * 1000 - nowMs) / 86_400_000;
  if (days <= 0) return "expired";
  if (days < 1) return `expires in ${Math.max(1, Math.round(days * 24))} h`;
  return `expires in ${Math.round(days)} days`;
}
