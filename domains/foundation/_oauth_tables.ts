/** Row shapes of the OAuth app tables, for Kysely (ids as strings, times in Unix seconds). */

/** `oauth_apps` row. */
export interface OAuthAppRow {
  id: string;
  owner_user_id: string;
  name: string;
  description: string;
  client_id: string;
  /** JSON array of workspace ids as strings; `[]` = every workspace of the owner. */
  workspace_ids: string;
  created_at: number;
  updated_at: number;
}

/** `oauth_app_keys` row: one public key of an app. */
export interface OAuthAppKeyRow {
  app_id: string;
  key_id: string;
  algorithm: string;
  /** SPKI PEM. */
  public_key: string;
  created_at: number;
}

/** `oauth_jwt_ids` row: a JWT id already exchanged, kept until the JWT expires. */
export interface OAuthJwtIdRow {
  app_id: string;
  jti: string;
  expire_at: number;
}

/** `oauth_access_tokens` row: an access token issued to an app (its hash only). */
export interface OAuthAccessTokenRow {
  id: string;
  app_id: string;
  user_id: string;
  token_hash: string;
  expire_at: number;
  created_at: number;
}

/** The OAuth app schema. */
export interface OAuthTables {
  oauth_apps: OAuthAppRow;
  oauth_app_keys: OAuthAppKeyRow;
  oauth_jwt_ids: OAuthJwtIdRow;
  oauth_access_tokens: OAuthAccessTokenRow;
}
