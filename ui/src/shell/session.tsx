/**
 * The signed-in user and their workspaces, loaded once for the console's pages. Without a
 * session the API client has already sent the browser to the login page.
 */
import { createContext, type ReactNode, useContext } from "react";
import { api } from "../api/client.ts";
import type { Answer } from "../api/types.ts";
import { useAsync } from "../hooks/use_async.ts";
import { ErrorNotice } from "../components/notice.tsx";
import { Loading } from "../components/page.tsx";

/** The signed-in user as the session route answers it. */
export type UserInfo = Answer<
  "get",
  "/api/foundation/v1/users/session"
>["user_info"];
/** A workspace as the spaces route answers it. */
export type Space = Answer<
  "post",
  "/api/foundation/v1/spaces/list"
>["spaces"][number];

interface SessionValue {
  user: UserInfo;
  spaces: Space[];
  /** Loads the user and workspaces again (after a profile change). */
  reload: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

/** Loads the session; renders its children once the user is known. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const s = useAsync(async (signal) => {
    const [session, spaces] = await Promise.all([
      api.get("/api/foundation/v1/users/session", { signal }),
      api.post("/api/foundation/v1/spaces/list", {
        body: { page_size: 100 },
        signal,
      }),
    ]);
    return {
      user: session.user_info as UserInfo,
      spaces: spaces.spaces as Space[],
    };
  }, []);
  if (s.error) {
    return (
      <div className="content">
        <ErrorNotice error={s.error} />
      </div>
    );
  }
  if (!s.data) {
    return (
      <div className="content">
        <Loading />
      </div>
    );
  }
  return (
    <SessionContext.Provider value={{ ...s.data, reload: s.reload }}>
      {children}
    </SessionContext.Provider>
  );
}

/** The signed-in user and their workspaces. */
export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
