/**
 * Reading spans: the filtered, paged span list (web and SDK search), whole traces, and the
 * presigned URLs of payloads stored as files. Every query is scoped to one workspace the
 * caller belongs to and a time range, and dedupes rows that at-least-once delivery wrote twice.
 */
import type { AnalyticsDb } from "../../../infra/ck/mod.ts";
import type { ObjectStorage } from "../../../infra/storage/mod.ts";
import { invalidParam } from "../../errors.ts";
import type { Authz } from "../../foundation/authz.ts";
import { ROOT_SPANS_TABLE, SPANS_TABLE } from "../ck_schema.ts";
import type { SpanRow } from "../types.ts";
import { compileFilters, type FilterFields } from "./filters.ts";
import { NO_JIT, pageByKeys, pageInOneQuery, SPAN_COLUMNS } from "./_pages.ts";

/** Which spans a list shows (the IDL's SpanListType). */
export type SpanListType = "root_span" | "all_span" | "llm_span";

/** A span list request. */
export interface ListSpansQuery {
  workspaceId: bigint;
  startTimeMs: number;
  endTimeMs: number;
  filters?: FilterFields;
  pageSize?: number;
  pageToken?: string;
  spanListType?: SpanListType;
  /** Ascending by start time instead of newest first. */
  ascending?: boolean;
}

/** A page of spans. */
export interface SpanPage {
  spans: SpanRow[];
  nextPageToken: string;
  hasMore: boolean;
}

/** The span query service. */
export interface SpanQueryService {
  list(userId: bigint, q: ListSpansQuery): Promise<SpanPage>;
  trace(userId: bigint, q: {
    workspaceId: bigint;
    traceId?: string;
    logId?: string;
    startTimeMs?: number;
    endTimeMs?: number;
    spanIds?: string[];
    filters?: FilterFields;
    limit?: number;
  }): Promise<SpanRow[]>;
  /** Presigned download URLs for the payload files a span names in `object_storage`. */
  payloadUrls(span: SpanRow): Promise<PayloadUrls | undefined>;
}

/** URLs of a span's stored payloads. */
export interface PayloadUrls {
  input_data_url?: string;
  output_data_url?: string;
  multimodal_data?: Record<string, string>;
}

const MAX_PAGE = 1_000;
const MAX_TRACE_SPANS = 10_000;
const URL_TTL_SECONDS = 3_600;

/** Creates the query service. */
export function createSpanQueryService(deps: {
  ck: AnalyticsDb;
  authz: Authz;
  storage?: ObjectStorage;
}): SpanQueryService {
  return {
    async list(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      const [from, to] = range(q.startTimeMs, q.endTimeMs);
      const size = q.pageSize ?? 20;
      if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
        throw invalidParam("page_size", `must be 1..${MAX_PAGE}`);
      }
      const where = [
        "space_id = {space:String}",
        "start_time >= {from:Int64}",
        "start_time <= {to:Int64}",
      ];
      const params: Record<string, unknown> = { space: q.workspaceId.toString(), from, to };
      const type = q.spanListType ?? "root_span";
      // The root table holds the roots (parent_id = '0') only: no condition needed.
      const table = type === "root_span" ? ROOT_SPANS_TABLE : SPANS_TABLE;
      if (type === "llm_span") where.push("span_type IN ('model', 'LLMCall')");
      else if (type !== "all_span" && type !== "root_span") {
        throw invalidParam("span_list_type", `unknown ${JSON.stringify(type)}`);
      }
      const filter = compileFilters(q.filters);
      where.push(filter.sql);
      Object.assign(params, filter.params);
      if (q.pageToken) {
        const { t, s } = decodeToken(q.pageToken);
        where.push(
          q.ascending
            ? "(start_time > {pt:Int64} OR (start_time = {pt:Int64} AND span_id > {ps:String}))"
            : "(start_time < {pt:Int64} OR (start_time = {pt:Int64} AND span_id < {ps:String}))",
        );
        params.pt = t;
        params.ps = s;
      }
      const read = type === "root_span" ? pageInOneQuery : pageByKeys;
      const { rows, hasMore } = await read(deps.ck, {
        table,
        space: q.workspaceId,
        where,
        params,
        dir: q.ascending ? "ASC" : "DESC",
        size,
      });
      const last = rows.at(-1);
      return {
        spans: rows.map(fromCk),
        hasMore,
        nextPageToken: hasMore && last ? encodeToken(Number(last.start_time), last.span_id) : "",
      };
    },
    async trace(userId, q) {
      await deps.authz.requireMember(userId, q.workspaceId);
      if (!q.traceId && !q.logId) throw invalidParam("trace_id", "trace_id or logid is required");
      const where = ["space_id = {space:String}"];
      const params: Record<string, unknown> = { space: q.workspaceId.toString() };
      if (q.traceId) {
        if (!/^[0-9a-fA-F]{1,64}$/.test(q.traceId)) throw invalidParam("trace_id", "expected hex");
        where.push("trace_id = {trace:String}");
        params.trace = q.traceId.toLowerCase();
      }
      if (q.logId) {
        if (q.logId.length > 256) throw invalidParam("logid", "at most 256 characters");
        where.push("logid = {logid:String}");
        params.logid = q.logId;
      }
      if (q.startTimeMs !== undefined || q.endTimeMs !== undefined) {
        const [from, to] = range(q.startTimeMs ?? 0, q.endTimeMs ?? Date.now() + 86_400_000, 3650);
        where.push("start_time >= {from:Int64}", "start_time <= {to:Int64}");
        Object.assign(params, { from, to });
      }
      if (q.spanIds?.length) {
        where.push("span_id IN {span_ids:Array(String)}");
        params.span_ids = q.spanIds.map((s) => s.toLowerCase());
      }
      const filter = compileFilters(q.filters);
      where.push(filter.sql);
      Object.assign(params, filter.params);
      params.limit = Math.min(Math.max(1, q.limit ?? MAX_TRACE_SPANS), MAX_TRACE_SPANS);
      const rows = await deps.ck.query<SpanRow>(
        `SELECT ${SPAN_COLUMNS} FROM ${SPANS_TABLE} WHERE ${where.join(" AND ")}
         ORDER BY start_time ASC, span_id ASC LIMIT 1 BY trace_id, span_id LIMIT {limit:UInt32}
         SETTINGS ${NO_JIT}`,
        params,
      );
      return rows.map(fromCk);
    },
    payloadUrls: (span) => payloadUrls(deps.storage, span),
  };
}

function range(startMs: number, endMs: number, maxDays = 366): [number, number] {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs < 0 || endMs < startMs) {
    throw invalidParam("start_time", "start_time and end_time (ms) with start <= end");
  }
  if (endMs - startMs > maxDays * 86_400_000) {
    throw invalidParam("end_time", `the range is at most ${maxDays} days`);
  }
  return [Math.floor(startMs) * 1000, Math.floor(endMs) * 1000 + 999];
}

function encodeToken(t: number, s: string): string {
  return btoa(JSON.stringify({ t, s })).replaceAll("=", "");
}

function decodeToken(token: string): { t: number; s: string } {
  try {
    const v = JSON.parse(atob(token));
    if (Number.isSafeInteger(v.t) && typeof v.s === "string" && /^[0-9a-f]{16}$/.test(v.s)) {
      return v;
    }
  } catch { /* fall through */ }
  throw invalidParam("page_token", "not a token this server issued");
}

// Int64 columns may come back as strings (servers quoting 64-bit integers in JSON).
function fromCk(r: SpanRow): SpanRow {
  return {
    ...r,
    start_time: Number(r.start_time),
    duration: Number(r.duration),
    ingest_time: Number(r.ingest_time),
    status_code: Number(r.status_code),
  };
}

async function payloadUrls(
  storage: ObjectStorage | undefined,
  span: SpanRow,
): Promise<PayloadUrls | undefined> {
  if (!storage || !span.object_storage) return undefined;
  let o: { input_tos_key?: string; output_tos_key?: string; attachments?: { tos_key?: string }[] };
  try {
    o = JSON.parse(span.object_storage);
  } catch {
    return undefined;
  }
  const key = (k: string) => `ws/${span.space_id}/${k}`;
  const sign = (k: string) => storage.signDownload(key(k), { ttlSeconds: URL_TTL_SECONDS });
  const safe = (k: unknown): k is string =>
    typeof k === "string" && k.length > 0 && k.length <= 1024 && !k.split("/").includes("..") &&
    !k.startsWith("/");
  const out: PayloadUrls = {};
  if (safe(o.input_tos_key)) out.input_data_url = await sign(o.input_tos_key);
  if (safe(o.output_tos_key)) out.output_data_url = await sign(o.output_tos_key);
  const keys = (o.attachments ?? []).map((a) => a?.tos_key).filter(safe);
  if (keys.length) {
    const urls = await storage.signDownloads(keys.map(key), { ttlSeconds: URL_TTL_SECONDS });
    out.multimodal_data = Object.fromEntries(keys.map((k, i) => [k, urls[i]]));
  }
  return out;
}
