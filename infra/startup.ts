/**
 * Start-up checks: wait for every dependency to answer, retrying with backoff up to a
 * deadline, logging which one is awaited and why; then fail with one clear sentence.
 */
import { describeCause } from "./errors.ts";
import type { Logger } from "./log.ts";

/** A dependency to wait for. */
export interface Dependency {
  name: string;
  address: string;
  ping(): Promise<void>;
}

/** Start-up cannot proceed; the message names the service and its address. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Resolves once every dependency answers; throws StartupError after `timeoutMs`. */
export async function waitForDependencies(
  deps: Dependency[],
  options: { timeoutMs: number; logger: Logger },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  await Promise.all(deps.map(async (d) => {
    let delay = 200;
    let announced = false;
    for (;;) {
      try {
        await d.ping();
        if (announced) options.logger.info(`${d.name} is up`, { address: d.address });
        return;
      } catch (err) {
        const why = describeCause(err);
        if (Date.now() + delay > deadline) {
          throw new StartupError(`Cannot start: ${d.name} at ${d.address} is unavailable (${why})`);
        }
        if (!announced) {
          options.logger.warn(`waiting for ${d.name}`, { address: d.address, error: why });
          announced = true;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }));
}
