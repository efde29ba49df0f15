/**
 * Entities of the evaluation domain's evaluators. Evaluator content (what a version holds) is
 * kept in the wire's own shape (the IDL's EvaluatorContent, snake_case), validated by
 * content.ts, so that it round-trips to the web UI unchanged.
 */

/** The IDL's EvaluatorType: an LLM judge (1) or code (2). */
export type EvaluatorType = 1 | 2;

/** Content in the evaluation web API (`content_type` is a string: Text, Image, MultiPart). */
export interface Content {
  content_type?: string;
  format?: number;
  text?: string;
  image?: { name?: string; url?: string; uri?: string; thumb_url?: string };
  multi_part?: Content[];
}

/** One judge message: role 1 system, 2 user, 3 assistant, 4 tool. */
export interface JudgeMessage {
  role?: number;
  content?: Content;
  ext?: Record<string, string>;
}

/** The LLM judge part of a version. */
export interface PromptEvaluator {
  message_list: JudgeMessage[];
  model_config?: {
    model_id?: string;
    model_name?: string;
    temperature?: number;
    max_tokens?: number;
    top_p?: number;
    json_ext?: string;
  };
  prompt_source_type?: number;
  prompt_template_key?: string;
  prompt_template_name?: string;
  tools?: {
    type?: number;
    function?: { name: string; description?: string; parameters?: string };
  }[];
}

/** The code part of a version. */
export interface CodeEvaluator {
  language_type?: string;
  code_content?: string;
  code_template_key?: string;
  code_template_name?: string;
}

/** An input or output argument of an evaluator. */
export interface ArgsSchema {
  key?: string;
  support_content_types?: string[];
  json_schema?: string;
  default_value?: Content;
  text_type?: number;
}

/** What a version holds (the IDL's EvaluatorContent). */
export interface EvaluatorContent {
  receive_chat_history?: boolean;
  input_schemas?: ArgsSchema[];
  output_schemas?: ArgsSchema[];
  prompt_evaluator?: PromptEvaluator;
  code_evaluator?: CodeEvaluator;
}

/** An evaluator. */
export interface Evaluator {
  id: bigint;
  workspaceId: bigint;
  type: EvaluatorType;
  name: string;
  description: string;
  draftSubmitted: boolean;
  latestVersion: string;
  builtin: boolean;
  benchmark: string;
  vendor: string;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: number;
}

/** A version of an evaluator; the draft is the version "" (one per evaluator). */
export interface EvaluatorVersion {
  id: bigint;
  evaluatorId: bigint;
  workspaceId: bigint;
  type: EvaluatorType;
  version: string;
  description: string;
  content: EvaluatorContent;
  createdBy: bigint;
  updatedBy: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** What an evaluator is run on (the IDL's EvaluatorInputData). */
export interface EvaluatorInput {
  history_messages?: JudgeMessage[];
  input_fields?: Record<string, Content>;
  evaluate_dataset_fields?: Record<string, Content>;
  evaluate_target_output_fields?: Record<string, Content>;
  ext?: Record<string, string>;
}

/** The outcome of one evaluator run. */
export interface EvaluatorRecord {
  status: "success" | "fail";
  /** Absent when the run produced no score: never made up. */
  score?: number;
  reason: string;
  error?: { code: number; message: string };
  /** The judge's raw answer (kept when it could not be parsed, too). */
  rawOutput?: string;
  /** What code printed (bounded), stdout then stderr. */
  stdout?: string;
  latencyMs: number;
  tokens: { input: number; output: number };
  /** The run's trace in the workspace ("" when none was reported). */
  traceId: string;
}
