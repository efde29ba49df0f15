/** Domain entities to their wire shapes (IDL field names; int64 as strings). */
import type { Space, User } from "../../domains/foundation/types.ts";
import type { AccessToken } from "../../domains/foundation/tokens.ts";

/** `user.UserInfoDetail`. */
export function userInfo(u: User) {
  return {
    user_id: u.id.toString(),
    name: u.name,
    nick_name: u.nickName,
    email: u.email,
    avatar_url: /^https?:\/\//.test(u.avatarUri) ? u.avatarUri : "",
    mobile: "",
    description: u.description,
  };
}

/** `space.Space`. */
export function space(s: Space) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    space_type: s.spaceType,
    owner_user_id: s.ownerUserId.toString(),
    create_at: BigInt(s.createdAt.getTime()),
    update_at: BigInt(s.updatedAt.getTime()),
  };
}

/** `authn.PersonalAccessToken` (never the token value). */
export function accessToken(t: AccessToken) {
  return {
    id: t.id.toString(),
    name: t.name,
    created_at: BigInt(t.createdAt),
    updated_at: BigInt(t.updatedAt),
    last_used_at: BigInt(t.lastUsedAt),
    expire_at: BigInt(t.expireAt),
  };
}
