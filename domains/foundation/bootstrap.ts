/**
 * The first account of a fresh installation: with no user at all, one is registered (with its
 * personal workspace) and given a personal access token for SDKs, so that a new user can log
 * in and call the SDK routes at once. Never runs again once any user exists.
 */
import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import type { AccountService } from "./accounts.ts";
import type { TokenService } from "./tokens.ts";
import type { FoundationTables } from "./_tables.ts";

/** What a first start created: shown to the person starting the server, once. */
export interface FirstAccount {
  email: string;
  password: string;
  workspaceId: bigint;
  token: string;
}

/**
 * Registers the first account when there is no user; null when users exist. The password is
 * `password` or a random one (returned, never stored in plain text).
 */
export async function ensureFirstAccount(
  deps: { db: Database; accounts: AccountService; tokens: TokenService },
  options: { email: string; password?: string },
): Promise<FirstAccount | null> {
  const db: Kysely<FoundationTables> = deps.db.session<FoundationTables>();
  const any = await db.selectFrom("users").select(sql<number>`1`.as("one")).limit(1)
    .executeTakeFirst();
  if (any) return null;
  const password = options.password ?? randomPassword();
  const { user } = await deps.accounts.register({ email: options.email, password });
  const { token } = await deps.tokens.create(user.id, {
    name: "first SDK token",
    durationDay: "permanent",
  });
  const space = await db.selectFrom("space_users").select("space_id")
    .where("user_id", "=", user.id.toString()).executeTakeFirstOrThrow();
  return { email: user.email, password, workspaceId: BigInt(space.space_id), token };
}

// 18 characters from an alphabet without look-alikes (about 104 bits); bytes past the largest
// multiple of the alphabet's size are skipped so every character is equally likely.
function randomPassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < 18) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < limit && out.length < 18) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
