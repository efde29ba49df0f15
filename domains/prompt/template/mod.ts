/**
 * Prompt templates: types as on the wire, rendering into model messages, and commit-time
 * validation. Pure functions; no I/O.
 */
export * from "./types.ts";
export { renderMessages, type RenderOptions } from "./render.ts";
export { validateTemplate } from "./validate.ts";
export { DEFAULT_LIMITS, type RenderLimits } from "./_limits.ts";
