/**
 * Shared pieces for @hono/zod-openapi route definitions: the route group constructor (whose
 * validation failures become `invalid param` envelopes) and the documented response.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../_env.ts";
import { validationHook } from "./schemas.ts";

/** A route group whose validation failures become `invalid param` envelopes. */
export function routeGroup(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/**
 * The documented answer of every JSON route. Handlers write it with our bigint-aware JSON
 * (ids as strings), so no response schema is bound to the handler's type.
 */
export const envelopeResponse = {
  200: {
    description: "`{code, msg, ...fields}` (/api) or `{code, msg, data}` (/v1/loop); code 0 on " +
      "success, code != 0 with a human msg on a business error; int64 values as strings",
  },
};
