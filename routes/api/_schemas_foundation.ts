/**
 * Answer schemas of the foundation routes (users, workspaces, tokens, OAuth apps, files), the
 * shapes routes/_wire/convert.ts and the route modules write. Documentation only.
 */
import { z } from "@hono/zod-openapi";
import { int64 } from "../_wire/routes.ts";

/** `user.UserInfoDetail`. */
export const userInfoOut = z.object({
  user_id: int64,
  name: z.string(),
  nick_name: z.string(),
  email: z.string(),
  avatar_url: z.string().openapi({ description: "an http(s) URL, or empty" }),
  mobile: z.string(),
  description: z.string(),
}).strict().openapi("UserInfo");

/** `space.Space`. */
export const spaceOut = z.object({
  id: int64,
  name: z.string(),
  description: z.string(),
  space_type: z.number().int().openapi({ description: "1 personal, 2 team, 3 official" }),
  owner_user_id: int64,
  create_at: int64.openapi({ description: "epoch ms" }),
  update_at: int64.openapi({ description: "epoch ms" }),
}).strict().openapi("Space");

/** `authn.PersonalAccessToken` (never the token value). */
export const accessTokenOut = z.object({
  id: int64,
  name: z.string(),
  created_at: int64.openapi({ description: "epoch seconds" }),
  updated_at: int64.openapi({ description: "epoch seconds" }),
  last_used_at: int64.openapi({ description: "epoch seconds; -1 when never used" }),
  expire_at: int64.openapi({ description: "epoch seconds; 0 when it never expires" }),
}).strict().openapi("PersonalAccessToken");

/** A public key of an OAuth app. */
export const publicKeyOut = z.object({
  key_id: z.string().openapi({ description: "the `kid` of the app's JWTs" }),
  algorithm: z.enum(["RS256", "ES256"]),
  public_key: z.string().openapi({ description: "SPKI PEM" }),
  created_at: int64.openapi({ description: "epoch seconds" }),
}).strict().openapi("OAuthPublicKey");

/** An OAuth app with its public keys. */
export const oauthAppOut = z.object({
  id: int64,
  name: z.string(),
  description: z.string(),
  client_id: z.string(),
  owner_user_id: int64,
  workspace_ids: z.array(int64).openapi({
    description: "its scope; empty = every workspace of its owner",
  }),
  public_keys: z.array(publicKeyOut),
  created_at: int64.openapi({ description: "epoch seconds" }),
  updated_at: int64.openapi({ description: "epoch seconds" }),
}).strict().openapi("OAuthApp");

/** `file.SignHead`: the validity window of presigned URLs (epoch seconds as strings). */
export const signHeadOut = z.object({
  current_time: int64,
  expired_time: int64,
}).strict().openapi("SignHead");
