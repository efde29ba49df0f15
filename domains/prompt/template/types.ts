/**
 * The prompt template as it travels on the wire (Coze Loop's prompt.thrift): snake_case field
 * names, every field optional where the IDL makes it optional, so JSON bodies map onto these
 * types without renaming.
 */

/** Template languages this server renders. The reference also names go_template and custom_template_m; we reject them. */
export const TEMPLATE_TYPES = ["normal", "jinja2"] as const;

/** A template language name. */
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** Message roles; `placeholder` only appears in templates and is expanded away by rendering. */
export const ROLES = ["system", "user", "assistant", "tool", "placeholder"] as const;

/** A message role. */
export type Role = (typeof ROLES)[number];

/** Roles a message may have after rendering (and inside a placeholder's value). */
export const RENDERED_ROLES: readonly Role[] = ["system", "user", "assistant", "tool"];

/** Content part types; `multi_part_variable` only appears in templates. */
export const PART_TYPES = [
  "text",
  "image_url",
  "video_url",
  "base64_data",
  "multi_part_variable",
] as const;

/** A content part type. */
export type ContentType = (typeof PART_TYPES)[number];

/** Variable types, as spelled on the wire. */
export const VARIABLE_TYPES = [
  "string",
  "boolean",
  "integer",
  "float",
  "object",
  "array<string>",
  "array<boolean>",
  "array<integer>",
  "array<float>",
  "array<object>",
  "placeholder",
  "multi_part",
] as const;

/** A variable type. */
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** An image or video reference: `url` for the model, `uri` is the storage key it came from. */
export interface MediaRef {
  url?: string;
  uri?: string;
}

/** One part of a multimodal message. */
export interface ContentPart {
  type: ContentType;
  text?: string;
  image_url?: MediaRef;
  video_url?: MediaRef;
  base64_data?: string;
  media_config?: { fps?: number };
  signature?: string;
}

/** A function call requested by the model. */
export interface ToolCall {
  index?: number | string;
  id?: string;
  type?: string;
  function_call?: { name?: string; arguments?: string };
  signature?: string;
}

/** A chat message; in a template, a `placeholder` message's content names a variable. */
export interface Message {
  role: Role;
  content?: string;
  parts?: ContentPart[];
  reasoning_content?: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
  /** True: the message is passed through without variable substitution. */
  skip_render?: boolean;
  signature?: string;
  metadata?: Record<string, string>;
}

/** A declared template variable. */
export interface VariableDef {
  key: string;
  desc?: string;
  type: VariableType;
  type_tags?: string[];
}

/**
 * A caller's value for one variable: `value` (typed variables send their value as text, e.g.
 * JSON), `placeholder_messages` for placeholder variables, `multi_part_values` for multi_part.
 */
export interface VariableVal {
  key: string;
  value?: string;
  placeholder_messages?: Message[];
  multi_part_values?: ContentPart[];
}

/** The template part of a prompt. */
export interface PromptTemplate {
  template_type: TemplateType;
  messages: Message[];
  variable_defs?: VariableDef[];
  metadata?: Record<string, string>;
}
