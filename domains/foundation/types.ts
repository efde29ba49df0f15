/** Entities of the foundation domain. */

/** A registered user. */
export interface User {
  id: bigint;
  name: string;
  nickName: string;
  email: string;
  description: string;
  avatarUri: string;
  status: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Kinds of workspace, as Coze Loop numbers them. */
export const SpaceType = { undefined: 0, personal: 1, team: 2, official: 3 } as const;

/** A workspace ("space" in the wire protocol). */
export interface Space {
  id: bigint;
  name: string;
  description: string;
  spaceType: number;
  ownerUserId: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** A member's role in a workspace. */
export type SpaceRole = "owner" | "member";
