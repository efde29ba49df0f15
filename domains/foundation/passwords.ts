/**
 * Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane),
 * in the PHC string format so parameters can change without breaking stored hashes.
 */
import { argon2id, argon2Verify } from "hash-wasm";

const PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  return await argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    ...PARAMS,
    outputType: "encoded",
  });
}

/** True when `password` matches the stored hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}
