/**
 * Stops and starts the real services through `scripts/services.sh`, for fault tests.
 */
const ROOT = new URL("..", import.meta.url).pathname;

/** One of the services the script manages. */
export type ServiceName = "mysql" | "redis" | "s3" | "clickhouse" | "kafka";

async function run(action: "stop" | "start", service: ServiceName): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}scripts/services.sh`, action, service],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    const dec = new TextDecoder();
    throw new Error(
      `services.sh ${action} ${service} failed:\n${dec.decode(out.stderr)}${
        dec.decode(out.stdout)
      }`,
    );
  }
}

/** Stops the service's serving process (its data stays). */
export const stopService = (s: ServiceName): Promise<void> => run("stop", s);
/** Starts it again and waits until it answers. */
export const startService = (s: ServiceName): Promise<void> => run("start", s);

/** Runs `fn` with the service stopped, and always starts it again afterwards. */
export async function withServiceStopped<T>(s: ServiceName, fn: () => Promise<T>): Promise<T> {
  await stopService(s);
  try {
    return await fn();
  } finally {
    await startService(s);
  }
}
