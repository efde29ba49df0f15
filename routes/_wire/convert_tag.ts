/** Tags to and from their wire shapes (`data.domain.tag`: TagInfo, TagValue, ChangeLog). */
import type {
  ContinuousNumberSpec,
  Tag,
  TagContentSpec,
  TagContentType,
  TagDomainType,
  TagUpdate,
  TagValue,
  TagValueInput,
} from "../../domains/data/tags_types.ts";

/** `common.BaseInfo` (users by id only). */
function baseInfo(x: { createdBy: bigint; updatedBy: bigint; createdAt: Date; updatedAt: Date }) {
  return {
    created_by: { user_id: x.createdBy.toString() },
    updated_by: { user_id: x.updatedBy.toString() },
    created_at: BigInt(x.createdAt.getTime()),
    updated_at: BigInt(x.updatedAt.getTime()),
  };
}

/** `tag.TagValue`, with its children. */
export function tagValueWire(v: TagValue, t: Tag): Record<string, unknown> {
  return {
    id: v.id,
    app_id: 0,
    workspace_id: t.workspaceId,
    tag_key_id: t.tagKeyId,
    tag_value_id: v.tagValueId,
    tag_value_name: v.name,
    ...(v.description !== undefined ? { description: v.description } : {}),
    status: v.status,
    version_num: t.versionNum,
    parent_tag_value_id: v.parentValueId,
    children: v.children.map((c) => tagValueWire(c, t)),
    is_system: false,
    base_info: baseInfo(v),
  };
}

/** `tag.TagContentSpec`. */
function contentSpecWire(s: TagContentSpec): Record<string, unknown> {
  const n = s.continuousNumberSpec;
  if (!n) return {};
  const out: Record<string, unknown> = {};
  if (n.minValue !== undefined) out.min_value = n.minValue;
  if (n.minValueDescription !== undefined) out.min_value_description = n.minValueDescription;
  if (n.maxValue !== undefined) out.max_value = n.maxValue;
  if (n.maxValueDescription !== undefined) out.max_value_description = n.maxValueDescription;
  return { continuous_number_spec: out };
}

/** `tag.TagInfo` (the `appID` key is the IDL's own spelling). */
export function tagInfoWire(t: Tag): Record<string, unknown> {
  return {
    id: t.id,
    appID: 0,
    workspace_id: t.workspaceId,
    version_num: t.versionNum,
    version: t.version,
    tag_key_id: t.tagKeyId,
    tag_key_name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    status: t.status,
    tag_type: t.tagType,
    ...(t.parentKeyId !== undefined ? { parent_tag_key_id: t.parentKeyId } : {}),
    tag_values: t.values.map((v) => tagValueWire(v, t)),
    change_logs: t.changeLogs.map((c) => ({
      target: c.target,
      operation: c.operation,
      before_value: c.beforeValue,
      after_value: c.afterValue,
      target_value: c.targetValue,
    })),
    content_type: t.contentType,
    ...(t.contentSpec ? { content_spec: contentSpecWire(t.contentSpec) } : {}),
    domain_type_list: t.domainTypes,
    base_info: baseInfo(t),
  };
}

/** A request's tag value (`tag_value_id` 0 or absent: a new value). */
export interface TagValueWireIn {
  tag_value_id?: bigint;
  tag_value_name: string;
  description?: string;
  status?: "active" | "inactive";
  children?: TagValueWireIn[];
}

/** A request's values as the domain takes them. */
export function tagValuesIn(values: TagValueWireIn[]): TagValueInput[] {
  return values.map((v) => ({
    ...(v.tag_value_id ? { tagValueId: v.tag_value_id } : {}),
    name: v.tag_value_name,
    description: v.description,
    status: v.status,
    children: tagValuesIn(v.children ?? []),
  }));
}

/** A create or update request's tag fields as the domain takes them ("" version: none). */
export function tagFieldsFromWire(b: {
  tag_key_name: string;
  description?: string;
  tag_content_type?: TagContentType;
  tag_content_spec?: { continuous_number_spec?: Record<string, unknown> };
  tag_values?: TagValueWireIn[];
  tag_domain_types?: TagDomainType[];
  version?: string;
}): TagUpdate {
  return {
    name: b.tag_key_name,
    description: b.description,
    contentType: b.tag_content_type,
    contentSpec: contentSpecIn(b.tag_content_spec),
    values: b.tag_values && tagValuesIn(b.tag_values),
    domainTypes: b.tag_domain_types,
    version: b.version || undefined,
  };
}

/** A request's content spec as the domain takes it. */
export function contentSpecIn(
  s: { continuous_number_spec?: Record<string, unknown> } | undefined,
): TagContentSpec | undefined {
  const n = s?.continuous_number_spec;
  if (!s) return undefined;
  if (!n) return {};
  const spec: ContinuousNumberSpec = {
    minValue: n.min_value as number | undefined,
    minValueDescription: n.min_value_description as string | undefined,
    maxValue: n.max_value as number | undefined,
    maxValueDescription: n.max_value_description as string | undefined,
  };
  return { continuousNumberSpec: spec };
}
