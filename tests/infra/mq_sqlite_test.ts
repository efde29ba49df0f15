/**
 * The embedded SQLite queue: the shared contract (a temp file per test, every "process" of
 * a test on that file) plus what only an embedded queue must show itself: durability across
 * kill -9, several processes on one file, exact bytes, retention.
 */
import { createSqliteQueue } from "../../infra/mq/sqlite.ts";
import { queueContract } from "../contract/mq_contract.ts";

const dir = Deno.makeTempDirSync({ prefix: "mq_sqlite_test_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* already gone */ }
});

queueContract(
  "sqlite",
  (scope) => Promise.resolve(createSqliteQueue({ path: `${dir}/${scope ?? "shared"}.db` })),
);
