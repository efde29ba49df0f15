/** The Hono application: middleware, authentication per API family, then every route group. */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HealthService } from "../domains/system/health.ts";
import type { AccountService } from "../domains/foundation/accounts.ts";
import type { WorkspaceService } from "../domains/foundation/workspaces.ts";
import type { SessionService } from "../domains/foundation/sessions.ts";
import type { TokenService } from "../domains/foundation/tokens.ts";
import type { OAuthAppService } from "../domains/foundation/oauth_apps.ts";
import type { FileService } from "../domains/foundation/files.ts";
import type { ModelService } from "../domains/llm/models.ts";
import type { Logger } from "../infra/log.ts";
import { Codes } from "../domains/errors.ts";
import type { AppEnv } from "./_env.ts";
import { errorResponse, requestContext } from "./_middleware.ts";
import { sessionAuth, tokenAuth } from "./_auth.ts";
import { wireJson } from "./_wire/json.ts";
import { validationHook } from "./_wire/schemas.ts";
import { errorResponses } from "./_wire/routes.ts";
import { useWireJson } from "./_wire/body.ts";
import { healthRoutes } from "./health.ts";
import { localObjectRoutes, OBJECTS_PATH_PREFIX } from "./objects.ts";
import type { FsObjectStorage } from "../infra/storage/fs.ts";
import { PUBLIC_USER_PATHS, userRoutes } from "./api/users.ts";
import { spaceRoutes } from "./api/spaces.ts";
import { tokenRoutes } from "./api/tokens.ts";
import { oauthAppRoutes } from "./api/oauth_apps.ts";
import { OAUTH_TOKEN_PATH, oauthTokenRoutes } from "./api/oauth_token.ts";
import { fileRoutes } from "./api/files.ts";
import { loopFileRoutes } from "./loop/files.ts";
import { modelRoutes } from "./api/models.ts";
import { observabilityRoutes } from "./api/observability.ts";
import { loopTraceRoutes } from "./loop/traces.ts";
import { otelRoutes } from "./loop/otel.ts";
import { promptRoutes } from "./api/prompts.ts";
import { promptVersionRoutes } from "./api/prompt_versions.ts";
import { createMgetMemo, loopPromptRoutes } from "./loop/prompts.ts";
import { type Fetch, mgetFastLane } from "./loop/prompts_fast.ts";
import { loopExecuteRoutes } from "./loop/prompt_execute.ts";
import { loopPromptListRoutes } from "./loop/prompt_list.ts";
import { promptDebugRoutes } from "./api/prompt_debug.ts";
import { dataTagRoutes } from "./api/data_tags.ts";
import { dataDatasetRoutes } from "./api/data_datasets.ts";
import { dataItemRoutes } from "./api/data_items.ts";
import { dataItemCheckRoutes } from "./api/data_item_checks.ts";
import { dataVersionRoutes } from "./api/data_versions.ts";
import { dataIoRoutes } from "./api/data_io.ts";
import { evalSetRoutes } from "./api/eval_sets.ts";
import { evalSetItemRoutes } from "./api/eval_set_items.ts";
import { evalSetExtraRoutes } from "./api/eval_set_import.ts";
import { consoleRoutes } from "./console.ts";
import { evaluatorRoutes } from "./api/evaluators.ts";
import { evaluatorVersionRoutes } from "./api/evaluator_versions.ts";
import { experimentResultRoutes } from "./api/experiment_results.ts";
import { evaluatorRecordRoutes } from "./api/evaluator_records.ts";
import { loopExperimentResultRoutes } from "./loop/experiments_results.ts";
import { loopExperimentRoutes } from "./loop/experiments.ts";
import type { ExperimentResults } from "../domains/evaluation/experiments/results_mod.ts";
import { evalTargetRoutes } from "./api/eval_targets.ts";
import { experimentRoutes } from "./api/experiments.ts";
import type { Experiments } from "../domains/evaluation/experiments/mod.ts";
import type { TargetService } from "../domains/evaluation/targets.ts";
import type { EvaluatorService } from "../domains/evaluation/evaluators.ts";
import type { EvaluatorVersionService } from "../domains/evaluation/evaluator_versions.ts";
import type { DebugService } from "../domains/prompt/debug.ts";
import type { PromptRuntime } from "../domains/prompt/execute.ts";
import type { PromptService } from "../domains/prompt/prompts.ts";
import type { LabelService } from "../domains/prompt/labels.ts";
import type { VersioningService } from "../domains/prompt/versioning.ts";
import type { PromptHubService } from "../domains/prompt/hub.ts";
import type { Authz } from "../domains/foundation/authz.ts";
import type { IngestService } from "../domains/observability/ingest.ts";
import type { OtlpDecoder } from "../domains/observability/otlp/decode_pool.ts";
import type { SpanQueryService } from "../domains/observability/query/spans.ts";
import type { AnnotationService } from "../domains/observability/annotations.ts";
import type { DataServices } from "../domains/data/mod.ts";
import type { DataIo } from "../domains/data/io_mod.ts";
import type { TagService } from "../domains/data/tags.ts";

/** Largest JSON request body (WIRE.md): 20 MB. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** What the routes need from the domains. */
export interface AppDeps {
  logger: Logger;
  health: HealthService;
  sessions: SessionService;
  accounts: AccountService;
  workspaces: WorkspaceService;
  tokens: TokenService;
  oauthApps: OAuthAppService;
  files: FileService;
  models: ModelService;
  authz: Authz;
  ingest: IngestService;
  spans: SpanQueryService;
  annotations: AnnotationService;
  prompts: PromptService;
  labels: LabelService;
  versioning: VersioningService;
  hub: PromptHubService;
  runner: PromptRuntime;
  debug: DebugService;
  evaluators: EvaluatorService;
  evaluatorVersions: EvaluatorVersionService;
  /** Experiment results, aggregates, evaluator records, result exports. */
  experimentResults: ExperimentResults;
  targets: TargetService;
  experiments: Experiments;
  /** Datasets, their items and versions. */
  data: DataServices;
  dataIo: DataIo;
  tags: TagService;
  secureCookies?: boolean;
  /** Paths with their own (streamed) size limit instead of MAX_BODY_BYTES. */
  streamedPaths?: string[];
  /** The embedded object storage, whose presigned URLs this app serves (and checks). */
  localObjects?: FsObjectStorage;
  /** Largest decompressed request body (OTLP); default MAX_BODY_BYTES. */
  maxDecodedBytes?: number;
  /** Where OTLP bodies are decoded (a pool of workers); default: on the event loop. */
  otlpDecoder?: OtlpDecoder;
}

/** Builds the application. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const streamed = new Set(deps.streamedPaths ?? []);
  const tooLarge = (c: Context<AppEnv>) =>
    wireJson(c, {
      code: Codes.fileSizeExceedLimit,
      msg: `request body larger than ${MAX_BODY_BYTES} bytes`,
    }, 413);
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  const session = sessionAuth(deps.sessions, new Set([...PUBLIC_USER_PATHS, OAUTH_TOKEN_PATH]));
  const token = tokenAuth(deps.tokens, deps.oauthApps);
  // One gate per request (request id and log, body limit, authentication) rather than a
  // middleware each: every layer is another async step on the hottest SDK paths.
  app.use(
    "*",
    requestContext(deps.logger, (c, next) => {
      const path = c.req.path;
      const auth = path.startsWith("/v1/loop/")
        ? token
        : path.startsWith("/api/")
        ? session
        : undefined;
      if (auth) useWireJson(c);
      const guarded = auth ? async () => void await auth(c, next) : next;
      if (
        streamed.has(path) || c.req.method === "GET" || c.req.method === "HEAD" ||
        // Presigned uploads carry their own (signed) limits.
        (deps.localObjects && path.startsWith(`${OBJECTS_PATH_PREFIX}/`))
      ) {
        return guarded();
      }
      // A declared length is checked without touching the body (reading `body` would build
      // a stream for every request); only chunked bodies are counted as they arrive.
      const declared = c.req.header("content-length");
      if (declared !== undefined && c.req.header("transfer-encoding") === undefined) {
        return Number(declared) > MAX_BODY_BYTES ? Promise.resolve(tooLarge(c)) : guarded();
      }
      return limit(c, guarded);
    }),
  );
  app.onError(errorResponse);
  app.notFound((c) =>
    wireJson(c, { code: Codes.badRequest, msg: `No route for ${c.req.method} ${c.req.path}` }, 404)
  );

  app.route("/", healthRoutes(deps.health));
  if (deps.localObjects) app.route("/", localObjectRoutes(deps.localObjects));
  app.route("/", userRoutes(deps.accounts, { secureCookies: deps.secureCookies ?? false }));
  app.route("/", spaceRoutes(deps.workspaces));
  app.route("/", tokenRoutes(deps.tokens));
  app.route("/", oauthAppRoutes(deps.oauthApps));
  app.route("/", oauthTokenRoutes(deps.oauthApps));
  app.route("/", fileRoutes(deps.files));
  app.route("/", loopFileRoutes(deps.files));
  app.route("/", modelRoutes(deps.models));
  app.route("/", observabilityRoutes(deps));
  app.route("/", loopTraceRoutes(deps));
  app.route(
    "/",
    otelRoutes(deps.ingest, {
      maxDecodedBytes: deps.maxDecodedBytes,
      decoder: deps.otlpDecoder,
    }),
  );
  app.route("/", promptRoutes(deps.prompts));
  app.route("/", promptVersionRoutes(deps));
  const memo = createMgetMemo();
  app.route("/", loopPromptRoutes({ ...deps, memo }));
  app.route("/", loopExecuteRoutes(deps));
  app.route("/", loopPromptListRoutes(deps));
  app.route("/", promptDebugRoutes(deps));
  app.route("/", evaluatorRoutes(deps.evaluators));
  app.route("/", evaluatorVersionRoutes(deps.evaluatorVersions));
  app.route("/", experimentResultRoutes(deps.experimentResults));
  app.route("/", evaluatorRecordRoutes(deps.experimentResults));
  app.route("/", loopExperimentResultRoutes(deps.experimentResults));
  app.route("/", evalTargetRoutes(deps.targets));
  app.route("/", experimentRoutes(deps.experiments.service));
  app.route("/", loopExperimentRoutes(deps));
  app.route("/", dataDatasetRoutes(deps.data));
  app.route("/", dataItemRoutes(deps.data));
  app.route("/", dataItemCheckRoutes(deps.data));
  app.route("/", dataVersionRoutes(deps.data));
  app.route("/", dataIoRoutes(deps.dataIo));
  app.route("/", evalSetRoutes(deps.data));
  app.route("/", evalSetItemRoutes(deps.data));
  app.route("/", evalSetExtraRoutes(deps));
  app.route("/", dataTagRoutes(deps));

  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "session_key",
    description: "The web session, set by register and login_by_password",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "personalAccessToken", {
    type: "http",
    scheme: "bearer",
    description: "A personal access token, or an OAuth app's access token",
  });
  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "Coze Loop server (Deno)",
      version: "0.1.0",
      description: "Coze Loop's wire protocol: /api (web UI, session_key cookie) and " +
        "/v1/loop (SDKs, Bearer personal access token). int64 values are JSON strings.",
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/docs",
    tags: ["system"],
    summary: "This description as an interactive page (Swagger UI)",
    security: [],
    responses: {
      200: { description: "HTML", content: { "text/html": { schema: z.string() } } },
      ...errorResponses([500]),
    },
  });
  app.get("/docs", swaggerUI({ url: "/openapi.json" }));
  // Last: the web console answers the GETs of pages no route above claims.
  app.route("/", consoleRoutes());

  // The hottest SDK call, when everything it needs is at hand, skips the app's machinery.
  app.fetch = mgetFastLane({
    hub: deps.hub,
    tokens: deps.tokens,
    memo,
    logger: deps.logger,
    maxBodyBytes: MAX_BODY_BYTES,
    next: app.fetch as Fetch,
  }) as typeof app.fetch;
  return app;
}
