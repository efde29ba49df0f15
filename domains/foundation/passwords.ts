/**
 * Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane),
 * in the PHC string format so parameters can change without breaking stored hashes. The
 * accounts service takes a PasswordHasher: this process's (`inProcessHasher`) or a pool of
 * workers (password_workers.ts) that keeps argon2id off the event loop.
 */
import { argon2id, argon2Verify } from "hash-wasm";

/** argon2id cost parameters, shared with the hashing workers (which import nothing local). */
export const PASSWORD_PARAMS = {
  memorySize: 19_456,
  iterations: 2,
  parallelism: 1,
  hashLength: 32,
} as const;

/** Hashes and verifies passwords. */
export interface PasswordHasher {
  /** Hashes a password with a fresh random salt (PHC string). */
  hash(password: string): Promise<string>;
  /** True when `password` matches `hash`; false for a wrong password or a malformed hash. */
  verify(password: string, hash: string): Promise<boolean>;
}

/** Hashes a password with a fresh random salt, on this thread. */
export async function hashPassword(password: string): Promise<string> {
  return await argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    ...PASSWORD_PARAMS,
    outputType: "encoded",
  });
}

/** True when `password` matches the stored hash, checked on this thread. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

/** Hashing on this thread: blocks the event loop for each hash (tests, tools, the baseline). */
export const inProcessHasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

/**
 * A hash of a random password with the current parameters, made once per hasher: an unknown
 * account's login verifies against it, so it costs what a known account's does.
 */
export function dummyHashOf(hasher: PasswordHasher): () => Promise<string> {
  let made: Promise<string> | undefined;
  return () => {
    made ??= hasher.hash(crypto.randomUUID()).catch((err) => {
      made = undefined; // a failed attempt (a busy pool) is retried by the next login
      throw err;
    });
    return made;
  };
}
