/** `/console` (and `/`): the workspace last used, else the first one, opens at its prompts. */
import { Navigate } from "react-router";
import { useSession } from "../shell/session.tsx";
import { rememberedSpace } from "../shell/last_space.ts";
import { ACCOUNT_PATH, promptsPath } from "../lib/paths.ts";

/** Redirects to a workspace (or the account page for a user with none). */
export default function SpaceRedirect() {
  const { spaces } = useSession();
  const id = rememberedSpace(spaces) ?? spaces[0]?.id;
  return <Navigate to={id ? promptsPath(id) : ACCOUNT_PATH} replace />;
}
