/**
 * Built-in templates of evaluation sets: named field lists a user starts a set from. The
 * reference keeps its templates as datasets of a configured workspace; ours are fixed in the
 * server, with small ids of their own (they are no datasets), and every one is editable.
 */
import { invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { FieldInput } from "./schema.ts";
import { ContentType, type FieldSchema, FieldStatus, SchemaKey } from "./types.ts";

/** An evaluation set template. */
export interface EvalSetTemplate {
  id: bigint;
  name: string;
  description: string;
  fields: FieldSchema[];
  editable: boolean;
}

const PLAIN = 1;
const MARKDOWN = 2;
const JSON_FORMAT = 3;

function field(
  key: string,
  description: string,
  o: Partial<FieldSchema> = {},
): FieldSchema {
  return {
    key,
    name: key,
    description,
    contentType: ContentType.Text,
    defaultFormat: PLAIN,
    hidden: false,
    status: FieldStatus.Available,
    ...o,
  };
}

/** The templates, in the order they are listed. */
export const EVAL_SET_TEMPLATES: readonly EvalSetTemplate[] = [
  {
    id: 1n,
    name: "General Q&A",
    description: "A question for the target to answer, and the answer it should give.",
    fields: [
      field("input", "The question or instruction sent to the target"),
      field("reference_output", "The expected answer, for evaluators to compare with", {
        defaultFormat: MARKDOWN,
      }),
    ],
    editable: true,
  },
  {
    id: 2n,
    name: "Multi-modal Q&A",
    description: "A question made of text and images, and the expected answer.",
    fields: [
      field("input", "Text and images sent to the target, in order", {
        contentType: ContentType.MultiPart,
        defaultFormat: undefined,
        multiModalSpec: { maxFileCount: 20, supportedFormats: ["jpg", "jpeg", "png", "webp"] },
      }),
      field("reference_output", "The expected answer", { defaultFormat: MARKDOWN }),
    ],
    editable: true,
  },
  {
    id: 3n,
    name: "Retrieval-augmented answers",
    description: "A question, the passages retrieved for it, and the expected answer: " +
      "for evaluators of faithfulness and relevance.",
    fields: [
      field("input", "The user's question"),
      field("context", "The retrieved passages, as a JSON array of strings", {
        defaultFormat: JSON_FORMAT,
        textSchema: JSON.stringify({ type: "array", items: { type: "string" } }),
      }),
      field("reference_output", "The expected answer", { defaultFormat: MARKDOWN }),
    ],
    editable: true,
  },
  {
    id: 4n,
    name: "Classification",
    description: "A text and the label it should get, with a score for graded labels.",
    fields: [
      field("input", "The text to classify"),
      field("label", "The expected label"),
      field("score", "An expected score, if the labels are graded (a number)", {
        schemaKey: SchemaKey.Float,
      }),
    ],
    editable: true,
  },
].map((t) => ({
  ...t,
  fields: t.fields.map((f) => {
    const { defaultFormat, ...rest } = f;
    return defaultFormat === undefined ? rest : f;
  }),
}));

/** The template of an id; `invalid param` naming `template_dataset_id` when there is none. */
export function templateById(id: bigint): EvalSetTemplate {
  const t = EVAL_SET_TEMPLATES.find((x) => x.id === id);
  if (!t) {
    throw invalidParam(
      "template_dataset_id",
      `no template ${id} (see evaluation_sets/templates/list)`,
    );
  }
  return t;
}

/**
 * The fields a new evaluation set gets: those given (every template is editable, so a caller
 * that names a template may send its edited fields), else the named template's, as they are.
 */
export function evalSetFields(o: { templateId?: bigint; fields?: FieldInput[] }): FieldInput[] {
  const template = o.templateId === undefined ? undefined : templateById(o.templateId);
  if (o.fields?.length) return o.fields;
  if (template) return template.fields.map((f) => ({ ...f }));
  throw invalidParam("evaluation_set_schema", "required unless template_dataset_id is given");
}

/** A page of templates. */
export interface TemplatePage {
  templates: EvalSetTemplate[];
  total: number;
  nextPageToken: string;
}

/** The template list, for members of a workspace. */
export interface EvalSetTemplateService {
  list(
    userId: bigint,
    q: { workspaceId: bigint; pageSize?: number; pageToken?: string },
  ): Promise<TemplatePage>;
}

/** Creates the service. */
export function createEvalSetTemplates(deps: { authz: Authz }): EvalSetTemplateService {
  return {
    async list(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      return listTemplates(q);
    },
  };
}

/** A page of templates (`pageToken` is the offset of the page). */
export function listTemplates(o: { pageSize?: number; pageToken?: string }): TemplatePage {
  const size = o.pageSize ?? 20;
  const from = o.pageToken ? Number(o.pageToken) : 0;
  if (!/^\d{0,6}$/.test(o.pageToken ?? "")) {
    throw invalidParam("page_token", "not a token of this list");
  }
  const all = EVAL_SET_TEMPLATES;
  const templates = all.slice(from, from + size);
  const next = from + templates.length;
  return {
    templates: [...templates],
    total: all.length,
    nextPageToken: templates.length && next < all.length ? `${next}` : "",
  };
}
