/**
 * Prompt keys: what the server accepts (letters, digits, `_`, `.`, `-`; 1 to 128) and the
 * key a new prompt's name suggests, or a copy's.
 */

const KEY = /^[A-Za-z0-9_.\-]{1,128}$/;

/** Whether `key` is a valid prompt key. */
export function isPromptKey(key: string): boolean {
  return KEY.test(key);
}

/** The key a name suggests: lowercase words joined by `_`, other characters dropped. */
export function keyFromName(name: string): string {
  return name.trim().toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9_.\-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 128);
}

/** The key suggested for a copy of `key`. */
export function copyKey(key: string): string {
  return `${key.slice(0, 123)}_copy`;
}
