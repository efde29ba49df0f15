/**
 * Experiments, built from the infrastructure and the services they run: the service the
 * routes call and the pipeline whose workers main.ts starts (and stops on shutdown).
 */
import type { Database } from "../../../infra/db/mod.ts";
import type { IdGenerator } from "../../../infra/idgen/mod.ts";
import type { MessageQueue } from "../../../infra/mq/mod.ts";
import type { Broadcast } from "../../../infra/redis/broadcast.ts";
import type { Logger } from "../../../infra/log.ts";
import type { Authz } from "../../foundation/authz.ts";
import type { DataServices } from "../../data/mod.ts";
import { createEvaluatorRepo } from "../repo.ts";
import type { EvaluatorRunner } from "../run.ts";
import type { TargetRunner } from "../target_types.ts";
import { createExptRepo } from "./expt_repo.ts";
import { createItemsRepo } from "./items_repo.ts";
import {
  createExperimentPipeline,
  type ExperimentPipeline,
  type PipelineOptions,
} from "./pipeline.ts";
import { createPlanLoader } from "./plan.ts";
import { createExperimentReads, type ExperimentReads } from "./repo.ts";
import { createExperimentService, type ExperimentService } from "./service.ts";

export type { ExperimentService, ExperimentView } from "./service.ts";
export type { ExperimentPipeline } from "./pipeline.ts";

/** The experiment service, its pipeline and the shared reads. */
export interface Experiments {
  service: ExperimentService;
  pipeline: ExperimentPipeline;
  reads: ExperimentReads;
}

/** Builds them. */
export function createExperiments(deps: {
  db: Database;
  ids: IdGenerator;
  authz: Authz;
  mq: MessageQueue;
  broadcast: Broadcast;
  data: DataServices;
  targets: TargetRunner;
  evaluatorRunner: EvaluatorRunner;
  logger?: Logger;
  options?: PipelineOptions;
}): Experiments {
  const reads = createExperimentReads(deps);
  const expts = createExptRepo(deps.db);
  const items = createItemsRepo(deps.db);
  const evaluators = createEvaluatorRepo(deps.db);
  const pipeline = createExperimentPipeline({
    ids: deps.ids,
    mq: deps.mq,
    broadcast: deps.broadcast,
    reads,
    expts,
    items,
    plans: createPlanLoader({ targets: deps.targets, evaluators }),
    data: deps.data,
    targets: deps.targets,
    evaluators: deps.evaluatorRunner,
    logger: deps.logger,
  }, deps.options);
  const service = createExperimentService({
    db: deps.db,
    ids: deps.ids,
    authz: deps.authz,
    data: deps.data,
    evaluators,
    targets: deps.targets,
    reads,
    expts,
    items,
    pipeline,
  });
  return { service, pipeline, reads };
}
