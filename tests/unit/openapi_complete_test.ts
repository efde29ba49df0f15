/**
 * The API description is complete: every route the app answers (Hono's own route table) is in
 * /openapi.json with a schema for its success answer, its family's security requirement
 * (session cookie for /api, bearer token for /v1/loop, none for public routes) and the error
 * statuses every route of its kind can answer; and nothing is documented that the app does not
 * answer.
 */
import assert from "node:assert/strict";
import { type AppDeps, createApp } from "../../routes/app.ts";
import { createLogger } from "../../infra/log.ts";
import { PUBLIC_USER_PATHS } from "../../routes/api/users.ts";
import { OAUTH_TOKEN_PATH } from "../../routes/api/oauth_token.ts";
import { OBJECTS_PATH_PREFIX } from "../../routes/objects.ts";

// The description itself; the web console's pages (any other GET).
const NOT_API = new Set(["GET /openapi.json", "GET /*", "GET *"]);
const PUBLIC = new Set([...PUBLIC_USER_PATHS, OAUTH_TOKEN_PATH]);
// Routes that read their JSON body whatever its Content-Type (never 415).
const ANY_CONTENT_TYPE = new Set([
  "/v1/loop/prompts/mget",
  "/v1/loop/prompts/execute_streaming",
  OAUTH_TOKEN_PATH,
]);

// Routes are only built here, never called: the services are empty stand-ins.
function app() {
  const stub = {};
  const deps = {
    logger: createLogger({ write: () => {} }),
    health: stub,
    sessions: stub,
    accounts: stub,
    workspaces: stub,
    tokens: stub,
    oauthApps: stub,
    files: { maxUploadBytes: 1024 },
    models: stub,
    authz: stub,
    ingest: stub,
    spans: stub,
    annotations: stub,
    prompts: stub,
    labels: stub,
    versioning: stub,
    hub: stub,
    runner: stub,
    debug: stub,
    experiments: { service: stub },
    localObjects: stub,
  } as unknown as AppDeps;
  return createApp(deps);
}

type Operation = {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
};

/** `METHOD /path/{param}` of every route the app answers. */
function answeredRoutes(a: ReturnType<typeof app>): Set<string> {
  const out = new Set<string>();
  for (const r of a.routes) {
    if (r.method === "ALL") continue; // middleware
    const path = r.path === `${OBJECTS_PATH_PREFIX}/*`
      ? `${OBJECTS_PATH_PREFIX}/{key}`
      : r.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    const key = `${r.method} ${path}`;
    if (!NOT_API.has(key)) out.add(key);
  }
  return out;
}

Deno.test("openapi: every route the app answers is described, and only those", async (t) => {
  const a = app();
  const doc = await (await a.request("/openapi.json")).json() as Doc;
  const documented = new Set(
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)
    ),
  );
  const answered = answeredRoutes(a);
  await t.step("no route left out", () => {
    assert.deepEqual([...answered].filter((r) => !documented.has(r)), []);
  });
  await t.step("no description without a route", () => {
    assert.deepEqual([...documented].filter((r) => !answered.has(r)), []);
  });
  await t.step("security schemes", () => {
    const schemes = (doc.components as { securitySchemes: Record<string, unknown> })
      .securitySchemes;
    assert.partialDeepStrictEqual(schemes.sessionCookie, {
      type: "apiKey",
      in: "cookie",
      name: "session_key",
    });
    assert.partialDeepStrictEqual(schemes.personalAccessToken, { type: "http", scheme: "bearer" });
  });
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      await t.step(`${method.toUpperCase()} ${path}`, () => checkOperation(path, method, op));
    }
  }
});

function checkOperation(path: string, method: string, op: Operation): void {
  const ok = op.responses["200"];
  assert.ok(ok, "a 200 answer");
  const bodies = Object.entries(ok.content ?? {});
  const emptyOk = method === "put" && path.startsWith(OBJECTS_PATH_PREFIX);
  if (!emptyOk) {
    assert.ok(bodies.length > 0, "the 200 answer has a content type");
    for (const [type, media] of bodies) assert.ok(media.schema, `a schema for ${type}`);
  }
  const statuses = Object.keys(op.responses);
  const family = path.startsWith("/api/") ? "api" : path.startsWith("/v1/loop/") ? "loop" : "";
  const isPublic = PUBLIC.has(path) || family === "";
  const expected = isPublic
    ? []
    : family === "api"
    ? [{ sessionCookie: [] }]
    : [{ personalAccessToken: [] }];
  assert.deepEqual(op.security ?? [], expected, "security requirement");
  if (!isPublic) assert.ok(statuses.includes("401"), "401 documented");
  if (family && method !== "get") assert.ok(statuses.includes("413"), "413 documented");
  if (op.requestBody?.content["application/json"] && !ANY_CONTENT_TYPE.has(path)) {
    assert.ok(statuses.includes("415"), "415 documented (a JSON body)");
  }
  assert.ok(statuses.includes("500"), "500 documented");
  // Routes that touch no dependency (/healthz reports them with its own 503).
  if (!["/ping", "/healthz", "/docs"].includes(path)) {
    assert.ok(statuses.includes("503"), "503 documented");
  }
  for (const s of statuses.filter((s) => s !== "200")) {
    const content = op.responses[s].content ?? {};
    assert.ok(Object.keys(content).length > 0, `${s} has a documented body`);
  }
}

Deno.test("openapi: rate-limited routes document 429", async () => {
  const doc = await (await app().request("/openapi.json")).json() as Doc;
  for (
    const path of [
      "/api/foundation/v1/users/register",
      "/api/foundation/v1/users/login_by_password",
      "/v1/loop/prompts/mget",
      "/v1/loop/prompts/execute",
    ]
  ) {
    assert.ok(doc.paths[path].post.responses["429"], `${path}: 429`);
  }
});
