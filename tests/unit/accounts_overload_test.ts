/**
 * The accounts domain under overload, with a counting password hasher over a fresh SQLite
 * database: an unknown account's login runs a password check like a known one's (so both
 * take the same time; timings themselves belong to benchmarks), and registrations are
 * limited per client address before any hashing.
 */
import assert from "node:assert/strict";
import { createSqliteDatabase } from "../../infra/db/sqlite.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createMemoryLimiter } from "../../infra/memory/limiter.ts";
import { createLocalIdGenerator } from "../../infra/idgen/local.ts";
import { AppError, Codes } from "../../domains/errors.ts";
import { createAccountService } from "../../domains/foundation/accounts.ts";
import { createSessionService } from "../../domains/foundation/sessions.ts";
import { inProcessHasher, type PasswordHasher } from "../../domains/foundation/passwords.ts";

/** The in-process hasher, counting its calls. */
function countingHasher(): PasswordHasher & { hashes: number; verifies: string[] } {
  const h = {
    hashes: 0,
    verifies: [] as string[],
    hash(password: string) {
      h.hashes++;
      return inProcessHasher.hash(password);
    },
    verify(password: string, hash: string) {
      h.verifies.push(hash);
      return inProcessHasher.verify(password, hash);
    },
  };
  return h;
}

async function withAccounts(
  fn: (
    accounts: ReturnType<typeof createAccountService>,
    hasher: ReturnType<typeof countingHasher>,
  ) => Promise<void>,
  options: { registerPerMinute?: number } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "accounts_overload_" });
  const db = createSqliteDatabase({ path: `${dir}/loop.db` });
  const cache = createMemoryCache();
  try {
    await db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
    const hasher = countingHasher();
    const accounts = createAccountService({
      db,
      ids: createLocalIdGenerator({ serverId: 311 }),
      sessions: createSessionService({ secret: "s".repeat(32), cache }),
      limiter: createMemoryLimiter(),
      hasher,
      ...options,
    });
    await fn(accounts, hasher);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const isWrongPassword = (e: unknown) =>
  e instanceof AppError && e.code === Codes.userPasswordWrong && e.status === 200;

Deno.test("login: an unknown account runs a password check, as a known one does", async () => {
  await withAccounts(async (accounts, hasher) => {
    const known = await accounts.register({ email: "ann@example.com", password: "password-1" });
    assert.equal(hasher.hashes, 1);
    const login = (email: string) =>
      accounts.login({ email, password: "wrong-password", clientAddress: "10.0.0.1" });

    await assert.rejects(login("ann@example.com"), isWrongPassword);
    assert.equal(hasher.verifies.length, 1, "a known account: one check");

    await assert.rejects(login("nobody@example.com"), isWrongPassword);
    assert.equal(hasher.verifies.length, 2, "an unknown account: one check too");
    const dummy = hasher.verifies[1];
    assert.match(dummy, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, "same parameters as real hashes");

    await assert.rejects(login("nobody-else@example.com"), isWrongPassword);
    assert.equal(hasher.verifies[2], dummy, "the dummy hash is made once");
    assert.equal(hasher.hashes, 2, "one registration and the one dummy hash");

    const ok = await accounts.login({
      email: "ann@example.com",
      password: "password-1",
      clientAddress: "10.0.0.1",
    });
    assert.equal(ok.user.id, known.user.id);
  });
});

Deno.test("register: limited per client address, refused before hashing", async () => {
  await withAccounts(async (accounts, hasher) => {
    const register = (n: number, clientAddress: string) =>
      accounts.register({ email: `u${n}@example.com`, password: "password-1", clientAddress });
    for (let n = 0; n < 3; n++) await register(n, "10.0.0.2");
    assert.equal(hasher.hashes, 3);
    await assert.rejects(register(3, "10.0.0.2"), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, Codes.tooManyRequests);
      assert.equal(e.status, 429);
      assert.match(e.message, /^too many registrations from this address, retry in \d+ s$/);
      return true;
    });
    assert.equal(hasher.hashes, 3, "a refused registration costs no hash");
    await register(4, "10.0.0.3"); // another address has its own allowance
    await accounts.register({ email: "first@example.com", password: "password-1" });
    assert.equal(hasher.hashes, 5, "no address (the first account at start-up): not limited");
  }, { registerPerMinute: 3 });
});
