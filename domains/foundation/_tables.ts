/** Row shapes of the foundation tables, for Kysely. */

/** `users` row. */
export interface UserRow {
  id: string;
  name: string;
  nick_name: string;
  email: string;
  password_hash: string;
  description: string;
  avatar_uri: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

/** `spaces` row. */
export interface SpaceRow {
  id: string;
  name: string;
  description: string;
  space_type: number;
  owner_user_id: string;
  created_at: Date;
  updated_at: Date;
}

/** `space_users` row. */
export interface SpaceUserRow {
  space_id: string;
  user_id: string;
  role: string;
  created_at: Date;
}

/** `personal_access_tokens` row. */
export interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  status: string;
  expire_at: number;
  last_used_at: number;
  created_at: number;
  updated_at: number;
}

/** The foundation schema. Ids are read as strings (bigint columns) and written as strings. */
export interface FoundationTables {
  users: UserRow;
  spaces: SpaceRow;
  space_users: SpaceUserRow;
  personal_access_tokens: TokenRow;
}
