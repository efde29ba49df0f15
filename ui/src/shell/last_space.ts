/** The workspace last opened, so that account pages link back to it. */

const KEY = "coze-loop-space";

/** Remembers the workspace in the URL. */
export function rememberSpace(spaceId: string): void {
  try {
    localStorage.setItem(KEY, spaceId);
  } catch { /* storage disabled */ }
}

/** The remembered workspace, if the user is still a member of it. */
export function rememberedSpace(spaces: { id: string }[]): string | undefined {
  try {
    const id = localStorage.getItem(KEY);
    return spaces.some((s) => s.id === id) ? id! : undefined;
  } catch {
    return undefined;
  }
}
