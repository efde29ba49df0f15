/**
 * The SDK-facing prompt shapes (`domain_openapi/prompt.thrift`) and their conversion to and
 * from the web ones at the `/v1/loop` boundary. They differ in content parts: the SDKs'
 * `image_url`/`video_url` are plain URL strings, with the storage keys beside them as
 * `image_uri`/`video_uri` and the media settings as `config`; the web API nests
 * `{url, uri}` objects and names the settings `media_config`. A variable definition's `desc`
 * is always present there (the Python SDK requires it).
 */
import { z } from "@hono/zod-openapi";
import { messageSchema } from "../../domains/prompt/detail.ts";
import type { HubPrompt } from "../../domains/prompt/hub.ts";
import {
  type ContentPart,
  type MediaRef,
  type Message,
  PART_TYPES,
} from "../../domains/prompt/template/types.ts";

const mediaRef = z.object({ url: z.string().optional(), uri: z.string().optional() });
const mediaConfig = z.object({
  fps: z.number().min(0.2).max(5).optional(),
  image_resolution: z.string().max(64).optional(),
});

const openapiPartShape = z.object({
  type: z.enum(PART_TYPES),
  text: z.string().optional(),
  image_url: z.union([z.string(), mediaRef]).optional(),
  image_uri: z.string().optional(),
  video_url: z.union([z.string(), mediaRef]).optional(),
  video_uri: z.string().optional(),
  base64_data: z.string().optional(),
  config: mediaConfig.optional(),
  media_config: mediaConfig.optional(),
  signature: z.string().optional(),
});

/**
 * A content part as the SDKs send it, read into the web shape. The web shape (`image_url:
 * {url}`) is accepted too, so older clients keep working.
 */
export const openapiPartSchema = openapiPartShape.transform(partFromOpenapi);

/** A message as the SDKs send it (parts in the SDK shape), read into the web shape. */
export const openapiMessageSchema = messageSchema.extend({
  parts: z.array(openapiPartSchema).max(100).optional(),
}).strip();

type OpenapiPartIn = z.infer<typeof openapiPartShape>;

/** An SDK content part in the web shape. */
export function partFromOpenapi(p: OpenapiPartIn): ContentPart {
  const out: ContentPart = { type: p.type };
  if (p.text !== undefined) out.text = p.text;
  const image = mediaFrom(p.image_url, p.image_uri);
  if (image) out.image_url = image;
  const video = mediaFrom(p.video_url, p.video_uri);
  if (video) out.video_url = video;
  if (p.base64_data !== undefined) out.base64_data = p.base64_data;
  const config = p.config ?? p.media_config;
  if (config?.fps !== undefined) out.media_config = { fps: config.fps };
  if (p.signature !== undefined) out.signature = p.signature;
  return out;
}

function mediaFrom(
  v: string | MediaRef | undefined,
  uri: string | undefined,
): MediaRef | undefined {
  if (v === undefined && uri === undefined) return undefined;
  const ref: MediaRef = typeof v === "string" ? { url: v } : { ...v };
  if (uri !== undefined) ref.uri = uri;
  return ref;
}

/** A web content part in the SDK shape. */
export function openapiPart(p: ContentPart): Record<string, unknown> {
  const { image_url, video_url, media_config, ...rest } = p;
  const out: Record<string, unknown> = { ...rest };
  if (image_url?.url !== undefined) out.image_url = image_url.url;
  if (image_url?.uri !== undefined) out.image_uri = image_url.uri;
  if (video_url?.url !== undefined) out.video_url = video_url.url;
  if (video_url?.uri !== undefined) out.video_uri = video_url.uri;
  if (media_config) out.config = media_config;
  return out;
}

/** A web message in the SDK shape. */
export function openapiMessage(m: Message): Record<string, unknown> {
  return m.parts ? { ...m, parts: m.parts.map(openapiPart) } : { ...m };
}

/** A hub prompt in the SDK shape (`domain_openapi` Prompt). */
export function openapiPrompt(p: HubPrompt): Record<string, unknown> {
  const t = p.prompt_template;
  return {
    ...p,
    prompt_template: {
      ...t,
      messages: (t.messages ?? []).map((m) => openapiMessage(m as Message)),
      variable_defs: (t.variable_defs ?? []).map((d) => ({ ...d, desc: d.desc ?? "" })),
    },
  };
}
