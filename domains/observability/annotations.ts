/**
 * Annotations on spans (manual feedback from the web UI, feedback from SDKs), stored in
 * ClickHouse as versions of a row (ReplacingMergeTree on updated_at; deletes are versions
 * with deleted_at). SDKs often annotate a span before the writer has stored it: such an
 * annotation is queued as a delayed message and retried until the span exists.
 */
import { createHash } from "node:crypto";
import type { AnalyticsDb } from "../../infra/ck/mod.ts";
import type { IdGenerator } from "../../infra/idgen/mod.ts";
import { bodyJson, type ConsumerWorker, type MessageQueue } from "../../infra/mq/mod.ts";
import { invalidParam, notFound } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import { ANNOTATIONS_TABLE, SPANS_TABLE } from "./ck_schema.ts";

/** Topic of annotations waiting for their span (the reference's name). */
export const ANNOTATION_TOPIC = "trace_annotation_event";
const VALUE_TYPES = ["string", "category", "number", "long", "double", "bool"] as const;
const MAX_TEXT = 64 * 1024;

/** An annotation as the domain sees it. */
export interface Annotation {
  id: string;
  workspaceId: string;
  traceId: string;
  spanId: string;
  /** Start time of the annotated span (µs). */
  startTime: number;
  type: string;
  key: string;
  valueType: (typeof VALUE_TYPES)[number];
  value: string;
  reasoning: string;
  status: string;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

/** Fields a caller gives to create or change an annotation. */
export interface AnnotationInput {
  workspaceId: bigint;
  traceId: string;
  spanId?: string;
  key: string;
  value: string;
  valueType?: string;
  reasoning?: string;
  type?: string;
}

/** The annotation service. */
export interface AnnotationService {
  /** Creates (or, for the same span, type and key from an SDK, replaces) an annotation. */
  create(userId: bigint, a: AnnotationInput): Promise<{ id: string; pending: boolean }>;
  update(userId: bigint, id: string, a: AnnotationInput): Promise<void>;
  remove(
    userId: bigint,
    q: { workspaceId: bigint; id?: string; traceId: string; spanId?: string; key?: string },
  ): Promise<void>;
  list(
    userId: bigint,
    q: { workspaceId: bigint; traceId: string; spanId?: string },
  ): Promise<Annotation[]>;
  /** Starts the consumer that stores queued annotations once their span exists. */
  startRetryWorker(): Promise<ConsumerWorker>;
}

interface Queued {
  userId: string;
  input: Omit<AnnotationInput, "workspaceId"> & { workspaceId: string };
  id: string;
}

/** Creates the annotation service. */
export function createAnnotationService(deps: {
  ck: AnalyticsDb;
  mq: MessageQueue;
  authz: Authz;
  ids: IdGenerator;
  now?: () => number;
}): AnnotationService {
  const nowUs = () => (deps.now ?? Date.now)() * 1000;

  const findSpan = async (space: bigint, traceId: string, spanId?: string) => {
    const rows = await deps.ck.query<{ span_id: string; start_time: string | number }>(
      `SELECT span_id, start_time FROM ${SPANS_TABLE}
       WHERE space_id = {space:String} AND trace_id = {trace:String}
         AND ${spanId ? "span_id = {span:String}" : "parent_id = '0'"}
       ORDER BY start_time LIMIT 1`,
      spanId
        ? { space: space.toString(), trace: traceId, span: spanId }
        : { space: space.toString(), trace: traceId },
    );
    return rows[0] ? { spanId: rows[0].span_id, startTime: Number(rows[0].start_time) } : undefined;
  };

  const write = async (a: Annotation, deletedAt = 0) => {
    await deps.ck.insert(ANNOTATIONS_TABLE, [{
      id: a.id,
      space_id: a.workspaceId,
      trace_id: a.traceId,
      span_id: a.spanId,
      start_time: a.startTime,
      annotation_type: a.type,
      key: a.key,
      value_type: a.valueType,
      value_string: a.value,
      value_long: a.valueType === "long" ? Number.parseInt(a.value, 10) || 0 : 0,
      value_float: ["number", "double"].includes(a.valueType) ? Number(a.value) || 0 : 0,
      value_bool: a.valueType === "bool" && a.value === "true" ? 1 : 0,
      reasoning: a.reasoning,
      status: a.status,
      created_by: a.createdBy,
      created_at: a.createdAt,
      updated_by: a.updatedBy,
      updated_at: a.updatedAt,
      deleted_at: deletedAt,
    }]);
  };

  // Stores the annotation when its span exists; false when the span is not there yet.
  const store = async (userId: bigint, input: AnnotationInput, id: string): Promise<boolean> => {
    const span = await findSpan(input.workspaceId, input.traceId, input.spanId);
    if (!span) return false;
    const at = nowUs();
    await write({
      id,
      workspaceId: input.workspaceId.toString(),
      traceId: input.traceId,
      spanId: span.spanId,
      startTime: span.startTime,
      type: input.type ?? "manual_feedback",
      key: input.key,
      valueType: (input.valueType ?? "string") as Annotation["valueType"],
      value: input.value,
      reasoning: input.reasoning ?? "",
      status: "normal",
      createdBy: userId.toString(),
      createdAt: at,
      updatedBy: userId.toString(),
      updatedAt: at,
    });
    return true;
  };

  const current = async (space: bigint, where: string, params: Record<string, unknown>) => {
    const rows = await deps.ck.query<Record<string, string | number>>(
      `SELECT * FROM ${ANNOTATIONS_TABLE} WHERE space_id = {space:String} AND ${where}
       ORDER BY updated_at DESC LIMIT 1 BY id`,
      { space: space.toString(), ...params },
    );
    return rows.filter((r) => Number(r.deleted_at) === 0).map(toAnnotation);
  };

  return {
    async create(userId, input) {
      await deps.authz.requireMember(userId, input.workspaceId);
      check(input);
      // SDK feedback on the same span and key replaces the earlier one (a stable id).
      const id = input.type === "openapi_feedback"
        ? stableId(input.workspaceId, input.traceId, input.spanId ?? "", input.key)
        : (await deps.ids.genId()).toString();
      if (await store(userId, input, id)) return { id, pending: false };
      const body: Queued = {
        userId: userId.toString(),
        id,
        input: { ...input, workspaceId: input.workspaceId.toString() },
      };
      await deps.mq.send({
        topic: ANNOTATION_TOPIC,
        key: input.traceId,
        body: JSON.stringify(body),
        delayMs: 2_000,
      });
      return { id, pending: true };
    },
    async update(userId, id, input) {
      await deps.authz.requireMember(userId, input.workspaceId);
      check(input);
      const [old] = await current(input.workspaceId, "id = {id:String}", { id });
      if (!old) throw notFound(`annotation ${id}`);
      await write({
        ...old,
        key: input.key,
        value: input.value,
        valueType: (input.valueType ?? old.valueType) as Annotation["valueType"],
        reasoning: input.reasoning ?? old.reasoning,
        updatedBy: userId.toString(),
        updatedAt: Math.max(nowUs(), old.updatedAt + 1),
      });
    },
    async remove(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      const where = ["trace_id = {trace:String}"];
      const params: Record<string, unknown> = { trace: q.traceId };
      if (q.id) (where.push("id = {id:String}"), params.id = q.id);
      if (q.spanId) (where.push("span_id = {span:String}"), params.span = q.spanId);
      if (q.key) (where.push("key = {key:String}"), params.key = q.key);
      const found = await current(q.workspaceId, where.join(" AND "), params);
      if (!found.length) throw notFound("annotation");
      for (const a of found) {
        const at = Math.max(nowUs(), a.updatedAt + 1);
        await write({ ...a, updatedBy: userId.toString(), updatedAt: at }, at);
      }
    },
    async list(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      const where = q.spanId
        ? "trace_id = {trace:String} AND span_id = {span:String}"
        : "trace_id = {trace:String}";
      const params = q.spanId ? { trace: q.traceId, span: q.spanId } : { trace: q.traceId };
      return (await current(q.workspaceId, where, params)).sort((a, b) =>
        a.createdAt - b.createdAt
      );
    },
    startRetryWorker: () =>
      deps.mq.consume({
        topic: ANNOTATION_TOPIC,
        group: "trace_annotation_writer",
        maxAttempts: 10,
        backoffMs: (n) => Math.min(2_000 * 2 ** (n - 1), 120_000),
        handler: async (m) => {
          const q = bodyJson<Queued>(m);
          const input = { ...q.input, workspaceId: BigInt(q.input.workspaceId) };
          if (!(await store(BigInt(q.userId), input, q.id))) {
            throw new Error(`span of trace ${q.input.traceId} is not stored yet`);
          }
        },
      }),
  };
}

function check(a: AnnotationInput): void {
  if (!/^[0-9a-fA-F]{1,64}$/.test(a.traceId)) throw invalidParam("trace_id", "expected hex");
  if (a.spanId !== undefined && a.spanId !== "" && !/^[0-9a-fA-F]{1,32}$/.test(a.spanId)) {
    throw invalidParam("span_id", "expected hex");
  }
  if (!a.key || a.key.length > 256) throw invalidParam("annotation_key", "1..256 characters");
  if (a.value.length > MAX_TEXT) {
    throw invalidParam("annotation_value", `at most ${MAX_TEXT} characters`);
  }
  if ((a.reasoning ?? "").length > MAX_TEXT) {
    throw invalidParam("reasoning", `at most ${MAX_TEXT} characters`);
  }
  if (a.valueType !== undefined && !(VALUE_TYPES as readonly string[]).includes(a.valueType)) {
    throw invalidParam("annotation_value_type", `one of ${VALUE_TYPES.join(", ")}`);
  }
  if (
    a.valueType && ["long", "number", "double"].includes(a.valueType) &&
    !Number.isFinite(Number(a.value))
  ) {
    throw invalidParam("annotation_value", `is not a ${a.valueType}`);
  }
  if (a.valueType === "bool" && a.value !== "true" && a.value !== "false") {
    throw invalidParam("annotation_value", "is not true or false");
  }
}

function stableId(space: bigint, trace: string, span: string, key: string): string {
  return createHash("sha256").update(`${space}\n${trace}\n${span}\n${key}`).digest("hex").slice(
    0,
    32,
  );
}

function toAnnotation(r: Record<string, string | number>): Annotation {
  return {
    id: String(r.id),
    workspaceId: String(r.space_id),
    traceId: String(r.trace_id),
    spanId: String(r.span_id),
    startTime: Number(r.start_time),
    type: String(r.annotation_type),
    key: String(r.key),
    valueType: String(r.value_type) as Annotation["valueType"],
    value: String(r.value_string),
    reasoning: String(r.reasoning),
    status: String(r.status),
    createdBy: String(r.created_by),
    createdAt: Number(r.created_at),
    updatedBy: String(r.updated_by),
    updatedAt: Number(r.updated_at),
  };
}
