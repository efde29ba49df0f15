/**
 * The console's one API client: calls the /api routes as the official frontend does (the
 * session_key cookie, JSON, `Agw-Js-Conv: str`), reads the `{code, msg, ...}` envelope and
 * throws an ApiError when code != 0. An unauthenticated answer sends the browser to the
 * login page, coming back here afterwards.
 */
import type { Answer, BodyOf, Method, Operation, ParamsOf, PathsOf, QueryOf } from "./types.ts";
import { loginPath } from "../lib/paths.ts";

/** Coze Loop's code for "not logged in" (foundation). */
export const UNAUTHENTICATED = 602000103;

/** A failed call: the envelope's code and message (or the HTTP status, code -1). */
export class ApiError extends Error {
  /** The envelope's code (-1 when the answer had none). */
  readonly code: number;
  /** The HTTP status. */
  readonly status: number;
  constructor(code: number, message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
  /** Whether the caller must log in (again). */
  get unauthenticated(): boolean {
    return this.status === 401 || this.code === UNAUTHENTICATED;
  }
}

type Opt<K extends string, T> = [T] extends [never] ? { [P in K]?: undefined }
  : undefined extends T ? { [P in K]?: T }
  : { [P in K]: T };

/** A call's options: path parameters, query and body as the route declares them. */
export type CallOptions<O> =
  & Opt<"params", ParamsOf<O>>
  & Opt<"body", BodyOf<O>>
  & Opt<"query", QueryOf<O>>
  & {
    signal?: AbortSignal;
    /** Answer 401 by throwing instead of going to the login page (the login page itself). */
    noLoginRedirect?: boolean;
  };

/** The options argument: optional when nothing in it is required. */
export type OptionsArg<O> = Record<never, never> extends CallOptions<O> ? [options?: CallOptions<O>]
  : [options: CallOptions<O>];

/** Calls `method path`; resolves to the envelope's fields, rejects with an ApiError. */
export async function call<M extends Method, P extends PathsOf<M>>(
  method: M,
  path: P,
  ...[options]: OptionsArg<Operation<P, M>>
): Promise<Answer<M, P>> {
  const o = (options ?? {}) as {
    params?: Record<string, string>;
    query?: Record<string, unknown>;
    body?: unknown;
    signal?: AbortSignal;
    noLoginRedirect?: boolean;
  };
  const url = buildUrl(path, o.params, o.query);
  const res = await fetch(url, {
    method: method.toUpperCase(),
    credentials: "same-origin",
    headers: {
      "Accept": "application/json",
      "Agw-Js-Conv": "str",
      ...(o.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    signal: o.signal,
  });
  const answer = await res.json().catch(() => undefined) as
    | { code?: number; msg?: string }
    | undefined;
  const code = typeof answer?.code === "number" ? answer.code : -1;
  if (!res.ok || code !== 0) {
    const err = new ApiError(
      code,
      answer?.msg || `${res.status} ${res.statusText}`,
      res.status,
    );
    if (err.unauthenticated && !o.noLoginRedirect) onUnauthenticated();
    throw err;
  }
  return answer as Answer<M, P>;
}

/** `path` with its `{name}` parameters filled in and a query string. */
export function buildUrl(
  path: string,
  params?: Record<string, string>,
  query?: Record<string, unknown>,
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined) {
      throw new Error(`${path}: missing path parameter ${name}`);
    }
    return encodeURIComponent(v);
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${filled}?${s}` : filled;
}

// The session ended (expired, revoked, logged out elsewhere): log in, then come back.
function onUnauthenticated(): void {
  const here = location.pathname + location.search;
  if (!here.startsWith("/auth/")) location.assign(loginPath(here));
}

/** Shorthands per method. */
export const api = {
  /** GET a route. */
  get: <P extends PathsOf<"get">>(
    path: P,
    ...o: OptionsArg<Operation<P, "get">>
  ) => call("get", path, ...o),
  /** POST to a route. */
  post: <P extends PathsOf<"post">>(
    path: P,
    ...o: OptionsArg<Operation<P, "post">>
  ) => call("post", path, ...o),
  /** PUT to a route. */
  put: <P extends PathsOf<"put">>(
    path: P,
    ...o: OptionsArg<Operation<P, "put">>
  ) => call("put", path, ...o),
  /** DELETE a route. */
  delete: <P extends PathsOf<"delete">>(
    path: P,
    ...o: OptionsArg<Operation<P, "delete">>
  ) => call("delete", path, ...o),
};
