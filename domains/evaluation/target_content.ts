/**
 * What a prompt target version holds, in the IDL's EvalTargetContent shape (snake_case, so it
 * round-trips to the web UI unchanged): the input schemas (one per variable of the committed
 * prompt version, plus the builtin user query), the output schema (`actual_output`) and the
 * prompt it runs. Built from a commit when the version is created; the prompt's name and
 * description are read live when asked for (the IDL marks them "not stored").
 */
import type { PromptDetail } from "../prompt/detail.ts";

/** The input field whose content is sent as a last user message (the IDL's expt constant). */
export const USER_QUERY_KEY = "builtin_prompt_user_query";
/** The one output field of a prompt target. */
export const ACTUAL_OUTPUT_KEY = "actual_output";
/** The IDL's SubmitStatus of a prompt: uncommitted or committed. */
export const SubmitStatus = { UnSubmit: 1, Submitted: 2 } as const;

/** An input or output argument (the IDL's common.ArgsSchema). */
export interface ArgsSchema {
  key: string;
  support_content_types: string[];
  json_schema: string;
}

/** The prompt of a target (the IDL's EvalPrompt; `prompt_id` is a string on the wire). */
export interface EvalPrompt {
  prompt_id: string;
  version?: string;
  prompt_key?: string;
  name?: string;
  description?: string;
  submit_status?: number;
}

/** The IDL's EvalTargetContent of a prompt target. */
export interface EvalTargetContent {
  input_schemas?: ArgsSchema[];
  output_schemas?: ArgsSchema[];
  runtime_param_json_demo?: string;
  prompt?: EvalPrompt;
}

/** How the reference describes a prompt's runtime parameter (a model config override). */
export const RUNTIME_PARAM_DEMO = JSON.stringify({
  model_config: { max_tokens: 0, temperature: 0, top_p: 0, json_ext: "{}" },
});

const STRING = '{"type":"string"}';
const ARRAY = (item: string) => `{"type":"array","items":{"type":"${item}"}}`;
const SCHEMA_OF: Record<string, string> = {
  string: STRING,
  integer: '{"type":"integer"}',
  float: '{"type":"number"}',
  boolean: '{"type":"boolean"}',
  object: '{"type":"object"}',
  "array<string>": ARRAY("string"),
  "array<integer>": ARRAY("integer"),
  "array<float>": ARRAY("number"),
  "array<boolean>": ARRAY("boolean"),
  "array<object>": ARRAY("object"),
};
const MULTIMODAL = ["Text", "Image", "MultiPart"];

/** The input schemas of a committed prompt version: its variables, then the user query. */
export function inputSchemasOf(detail: PromptDetail): ArgsSchema[] {
  const out: ArgsSchema[] = (detail.prompt_template?.variable_defs ?? []).map((d) =>
    d.type === "multi_part"
      ? { key: d.key, support_content_types: MULTIMODAL, json_schema: STRING }
      // Placeholders and untyped variables take text (a placeholder: a JSON list of messages).
      : {
        key: d.key,
        support_content_types: ["Text"],
        json_schema: SCHEMA_OF[d.type ?? ""] ?? STRING,
      }
  );
  out.push({ key: USER_QUERY_KEY, support_content_types: MULTIMODAL, json_schema: STRING });
  return out;
}

/** The content of a target version for a committed prompt version. */
export function promptContent(
  prompt: { id: bigint; promptKey: string },
  version: string,
  detail: PromptDetail,
): EvalTargetContent {
  return {
    input_schemas: inputSchemasOf(detail),
    output_schemas: [{
      key: ACTUAL_OUTPUT_KEY,
      support_content_types: ["Text", "MultiPart"],
      json_schema: STRING,
    }],
    runtime_param_json_demo: RUNTIME_PARAM_DEMO,
    prompt: { prompt_id: prompt.id.toString(), version, prompt_key: prompt.promptKey },
  };
}
