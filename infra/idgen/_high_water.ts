/**
 * The id generator's high-water mark on disk: the last millisecond up to which ids may have
 * been handed out, written atomically (temp file, fsync, rename) so a crash leaves either the
 * old mark or the new one, never a torn file.
 */

/** Path of the mark of `serverId` in `dir`. */
export function markPath(dir: string, serverId: number): string {
  return `${dir.replace(/\/+$/, "")}/idgen-${serverId}.json`;
}

/** The stored mark (epoch ms), or undefined when there is none yet. */
export async function readMark(path: string, serverId: number): Promise<number | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  let mark: unknown;
  try {
    const parsed = JSON.parse(text);
    if (parsed?.server_id !== serverId) {
      throw new Error(`it belongs to server id ${parsed?.server_id}, not ${serverId}`);
    }
    mark = parsed.reserved_until_ms;
  } catch (err) {
    throw new Error(`Cannot read the id generator's high-water mark ${path}: ${describe(err)}`);
  }
  if (typeof mark !== "number" || !Number.isSafeInteger(mark) || mark < 0) {
    // Starting from zero could hand out ids already used: refuse instead of guessing.
    throw new Error(
      `Cannot read the id generator's high-water mark ${path}: reserved_until_ms is not a ` +
        `non-negative integer`,
    );
  }
  return mark;
}

/** Stores `mark` durably before returning. */
export async function writeMark(path: string, serverId: number, mark: number): Promise<void> {
  const body = new TextEncoder().encode(
    JSON.stringify({
      server_id: serverId,
      reserved_until_ms: mark,
      reserved_until: new Date(mark).toISOString(),
      note: "ids of this server id were handed out up to this time; later ids start after it",
    }) + "\n",
  );
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      let at = 0;
      while (at < body.length) at += await file.write(body.subarray(at));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write the id generator's high-water mark ${path}: ${describe(err)}`, {
      cause: err,
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
