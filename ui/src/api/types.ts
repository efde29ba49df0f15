/**
 * Request and response types per route, derived from the generated OpenAPI types
 * (schema.gen.ts): a route whose schema changes changes these, and the type check fails
 * where the console uses it.
 */
import type { paths } from "./schema.gen.ts";

/** An HTTP method the console calls. */
export type Method = "get" | "post" | "put" | "delete";

/** The /api paths that answer `method`. */
export type PathsOf<M extends Method> = {
  [P in keyof paths]: P extends `/api/${string}` ? paths[P][M] extends undefined ? never : P
    : never;
}[keyof paths];

/** The operation of a path and method. */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<
  paths[P][M]
>;

/** The JSON request body of an operation (never when it takes none). */
export type BodyOf<O> = O extends { requestBody?: { content: { "application/json": infer B } } } ? B
  : never;

/** The path parameters of an operation (never when it has none). */
export type ParamsOf<O> = O extends { parameters: { path: infer P } } ? P
  : never;

/** The query parameters of an operation (never when it has none). */
export type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q
  : never;

/** The `/api` envelope every answer carries. */
export interface Envelope {
  code: number;
  msg: string;
}

/**
 * An answer whose route documents no response schema yet: its fields are not known to the
 * type checker. Routes gain response schemas over time; each one turns this into its type.
 */
// deno-lint-ignore no-explicit-any
export type UndocumentedAnswer = Envelope & { [field: string]: any };

/**
 * The JSON answer of an operation once the client has checked it: routes document the
 * success (`code: 0` with the fields) and the error envelope; the client throws on errors.
 */
export type AnswerOf<O> = O extends {
  responses: { 200: { content: { "application/json": infer R } } };
} ? SuccessOf<R>
  : UndocumentedAnswer;

/** The success branch of a documented answer (the whole answer when it has no branches). */
export type SuccessOf<R> = [Extract<R, { code: 0 }>] extends [never] ? R & Envelope
  : Extract<R, { code: 0 }>;

/** The answer of `method` on `path`. */
export type Answer<M extends Method, P extends PathsOf<M>> = AnswerOf<
  Operation<P, M>
>;

/** The request body of `method` on `path`. */
export type Body<M extends Method, P extends PathsOf<M>> = BodyOf<
  Operation<P, M>
>;

/**
 * `T` when the route documents it, else `Fallback`: a page states what it reads from a route
 * that has no response schema yet, and the schema takes over once it lands.
 */
export type Known<T, Fallback> = 0 extends (1 & T) ? Fallback : T;
