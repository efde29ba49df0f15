/**
 * Answers about attribute keys remembered per key: spans repeat their keys, so a question
 * asked of every attribute of every span (is it consumed, which prefixes is it under) is
 * worked out once per distinct key. The table is emptied when it reaches MAX_KEYS, so keys
 * that never repeat (made up by a client) cannot grow it without bound.
 */
const MAX_KEYS = 4096;

/** `compute` remembered per key. */
export function memoByKey<T>(compute: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    if (known.has(key)) return known.get(key)!;
    const value = compute(key);
    if (known.size >= MAX_KEYS) known.clear();
    known.set(key, value);
    return value;
  };
}
