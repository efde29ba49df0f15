/**
 * Builds every domain service from the infrastructure; main.ts calls this once. Domains get
 * only the interfaces they use.
 */
import type { Infra } from "../infra/build.ts";
import type { Logger } from "../infra/log.ts";
import { createHealthService, type HealthService } from "./system/health.ts";
import { type Authz, createAuthz } from "./foundation/authz.ts";
import { type AccountService, createAccountService } from "./foundation/accounts.ts";
import { createSessionService, type SessionService } from "./foundation/sessions.ts";
import { createTokenService, type TokenService } from "./foundation/tokens.ts";
import { createOAuthAppService, type OAuthAppService } from "./foundation/oauth_apps.ts";
import { createWorkspaceService, type WorkspaceService } from "./foundation/workspaces.ts";
import {
  createFileService,
  DEFAULT_MAX_UPLOAD_BYTES,
  type FileService,
} from "./foundation/files.ts";
import { createModelCatalogue, type ModelCatalogue } from "./llm/catalogue.ts";
import { createModelService, type ModelService } from "./llm/models.ts";
import { createIngestService, type IngestService } from "./observability/ingest.ts";
import { createSpanQueryService, type SpanQueryService } from "./observability/query/spans.ts";
import { type AnnotationService, createAnnotationService } from "./observability/annotations.ts";
import { createPromptCache } from "./prompt/cache.ts";
import { createPromptService, type PromptService } from "./prompt/prompts.ts";
import { createLabelService, type LabelService } from "./prompt/labels.ts";
import { createVersioningService, type VersioningService } from "./prompt/versioning.ts";
import { createPromptHubService, type PromptHubService } from "./prompt/hub.ts";
import { validateDetail } from "./prompt/validate.ts";
import { withReservoir } from "../infra/redis/limiter.ts";
import { createLlmRuntime } from "./llm/runtime/mod.ts";
import { createPromptRuntime, type PromptRuntime } from "./prompt/execute.ts";
import { createDebugService, type DebugService } from "./prompt/debug.ts";
import { type CodeSandbox, createCodeSandbox } from "./evaluation/code_sandbox/mod.ts";
import { createEvaluatorService, type EvaluatorService } from "./evaluation/evaluators.ts";
import {
  createEvaluatorVersionService,
  type EvaluatorVersionService,
} from "./evaluation/evaluator_versions.ts";
import { createJudge } from "./evaluation/judge.ts";
import { createEvaluatorRunner, type EvaluatorRunner } from "./evaluation/run.ts";
import { createTargetRunner } from "./evaluation/target_run.ts";
import { createTargetService, type TargetService } from "./evaluation/targets.ts";
import type { TargetRunner } from "./evaluation/target_types.ts";
import { createExperiments, type Experiments } from "./evaluation/experiments/mod.ts";
import {
  createExperimentResults,
  type ExperimentResults,
} from "./evaluation/experiments/results_mod.ts";
import { createDataServices, type DataServices } from "./data/mod.ts";
import { createTagService, type TagService } from "./data/tags.ts";
import { createDataIo, type DataIo } from "./data/io_mod.ts";

/** Every domain service. */
export interface Services {
  health: HealthService;
  authz: Authz;
  sessions: SessionService;
  accounts: AccountService;
  workspaces: WorkspaceService;
  tokens: TokenService;
  oauthApps: OAuthAppService;
  files: FileService;
  models: ModelService;
  ingest: IngestService;
  spans: SpanQueryService;
  annotations: AnnotationService;
  prompts: PromptService;
  labels: LabelService;
  versioning: VersioningService;
  hub: PromptHubService;
  runner: PromptRuntime;
  debug: DebugService;
  sandbox: CodeSandbox;
  evaluators: EvaluatorService;
  evaluatorVersions: EvaluatorVersionService;
  evaluatorRunner: EvaluatorRunner;
  /** Evaluation targets (prompt versions) for the web API. */
  targets: TargetService;
  /** Resolves and runs target versions (for experiments). */
  targetRunner: TargetRunner;
  /** Experiments: the service and the pipeline (its workers started by main.ts). */
  experiments: Experiments;
  /** Experiment results, aggregates, evaluator records and result exports (+ export worker). */
  experimentResults: ExperimentResults;
  /** Datasets, their items and versions. */
  data: DataServices;
  /** Dataset import and export jobs, and their worker. */
  dataIo: DataIo;
  tags: TagService;
}

/** Builds the services. */
export function createServices(
  infra: Infra,
  options: {
    logger: Logger;
    sessionSecret: string;
    /** Largest file upload; DEFAULT_MAX_UPLOAD_BYTES when not given. */
    maxUploadBytes?: number;
    /** The LLM model catalogue; empty when not given. */
    models?: ModelCatalogue;
    /** `prompts/mget` requests per second per workspace. */
    promptHubQps?: number;
    /** Largest item count of datasets other than evaluation sets (the reference's 30,000). */
    datasetMaxItems?: number;
    /** Model provider timeout. */
    llmTimeoutMs?: number;
    /** Longest run of one experiment item. */
    exptItemTimeoutMs?: number;
    /** Experiment items running at once per workspace. */
    exptWorkspaceConcurrency?: number;
    /** Where passwords are hashed, and registrations per client address and minute. */
    accounts?: Pick<Parameters<typeof createAccountService>[0], "hasher" | "registerPerMinute">;
  },
): Services {
  const { db, cache, ids, limiter } = infra;
  const authz = createAuthz({ db, cache, broadcast: infra.broadcast });
  const sessions = createSessionService({ secret: options.sessionSecret, cache });
  const promptCache = createPromptCache<never>({ cache, broadcast: infra.broadcast });
  const prompts = createPromptService({ db, ids, authz, cache: promptCache });
  const labels = createLabelService({ db, ids, authz, prompts, cache: promptCache });
  const catalogue = options.models ?? createModelCatalogue([]);
  const ingest = createIngestService({ mq: infra.mq, authz, logger: options.logger });
  const llm = createLlmRuntime({ logger: options.logger, defaultTimeoutMs: options.llmTimeoutMs });
  const runner = createPromptRuntime({ catalogue, llm, ingest, logger: options.logger });
  const sandbox = createCodeSandbox({ logger: options.logger });
  const evaluatorRunner = createEvaluatorRunner({
    judge: createJudge({ catalogue, llm, ingest, logger: options.logger }),
    sandbox,
  });
  const evaluators = createEvaluatorService({ db, ids, authz, sandbox });
  const versioning = createVersioningService({
    db,
    ids,
    prompts,
    labels,
    cache: promptCache,
    validate: validateDetail,
  });
  const targetRunner = createTargetRunner({
    db,
    ids,
    authz,
    prompts,
    runtime: runner,
    ingest,
    logger: options.logger,
  });
  const data = createDataServices({
    db,
    ids,
    authz,
    storage: infra.storage,
    logger: options.logger,
    maxItems: options.datasetMaxItems,
  });
  return {
    sandbox,
    evaluators,
    evaluatorRunner,
    evaluatorVersions: createEvaluatorVersionService({
      db,
      ids,
      authz,
      sandbox,
      evaluators,
      runner: evaluatorRunner,
    }),
    runner,
    debug: createDebugService({ db, ids, prompts, runner }),
    data,
    dataIo: createDataIo({
      db,
      ids,
      authz,
      storage: infra.storage,
      mq: infra.mq,
      data,
      logger: options.logger,
    }),
    tags: createTagService({ db, ids, authz }),
    prompts,
    labels,
    versioning,
    targetRunner,
    experiments: createExperiments({
      db,
      ids,
      authz,
      mq: infra.mq,
      broadcast: infra.broadcast,
      data,
      targets: targetRunner,
      evaluatorRunner,
      logger: options.logger,
      options: {
        itemTimeoutMs: options.exptItemTimeoutMs,
        workspaceLimit: options.exptWorkspaceConcurrency,
      },
    }),
    experimentResults: createExperimentResults({
      db,
      ids,
      authz,
      storage: infra.storage,
      mq: infra.mq,
      data,
      logger: options.logger,
    }),
    targets: createTargetService({ db, authz, prompts, versioning, runner: targetRunner }),
    hub: createPromptHubService({
      db,
      authz,
      limiter: withReservoir(limiter),
      labels,
      cache: promptCache,
      qps: options.promptHubQps,
    }),
    health: createHealthService(infra.dependencies),
    authz,
    sessions,
    accounts: createAccountService({ db, ids, sessions, limiter, ...options.accounts }),
    workspaces: createWorkspaceService({ db, authz }),
    files: createFileService({
      storage: infra.storage,
      authz,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    }),
    tokens: createTokenService({
      db,
      ids,
      cache,
      broadcast: infra.broadcast,
      logger: options.logger,
    }),
    oauthApps: createOAuthAppService({
      db,
      ids,
      cache,
      authz,
      broadcast: infra.broadcast,
      logger: options.logger,
    }),
    ingest,
    spans: createSpanQueryService({ ck: infra.ck, authz, storage: infra.storage }),
    annotations: createAnnotationService({ ck: infra.ck, mq: infra.mq, authz, ids }),
    models: createModelService({
      catalogue,
      authz,
    }),
  };
}
