/**
 * Items checked without being written (`dataset_items/validate`): against an existing
 * dataset (its schema, or fields given to check against instead), or against the fields of a
 * dataset about to be created. The same checks as a write (values, sizes, attachments in
 * storage), then capacity: valid items past what the dataset can still take are refused.
 */
import { invalidParam } from "../errors.ts";
import type { Authz } from "../foundation/authz.ts";
import type { DatasetAccess } from "./access.ts";
import type { ItemWriter } from "./item_writer.ts";
import { type FieldInput, newFields } from "./schema.ts";
import {
  Category,
  type DatasetWithSchema,
  DEFAULT_FEATURES,
  type ItemError,
  ItemErrorType,
  specOf,
} from "./types.ts";
import type { ItemInput } from "./validate.ts";
import { newDataset } from "./datasets.ts";

/** Most items one check takes (the IDL's bound). */
export const MAX_CHECKED_ITEMS = 500;

/** What a check answers. */
export interface ItemCheckResult {
  validIndices: number[];
  errors: ItemError[];
}

/** The check service. */
export interface ItemCheckService {
  validate(userId: bigint, input: {
    workspaceId: bigint;
    datasetId?: bigint;
    category?: number;
    fields?: FieldInput[];
    items: ItemInput[];
    ignoreCurrentItemCount?: boolean;
  }): Promise<ItemCheckResult>;
}

/** Creates the service. */
export function createItemChecks(
  deps: { authz: Authz; access: DatasetAccess; writer: Pick<ItemWriter, "validate"> },
): ItemCheckService {
  return {
    async validate(userId, input) {
      if (!input.items.length || input.items.length > MAX_CHECKED_ITEMS) {
        throw invalidParam("items", `1..${MAX_CHECKED_ITEMS} items`);
      }
      let ds: DatasetWithSchema;
      if (input.datasetId !== undefined) {
        ds = await deps.access.withSchema(userId, input.datasetId, {
          workspaceId: input.workspaceId,
        });
        if (input.fields?.length) {
          ds = { ...ds, schema: { ...ds.schema, fields: newFields(input.fields, ds.dataset) } };
        }
      } else {
        await deps.authz.requireMember(userId, input.workspaceId);
        if (!input.fields?.length) {
          throw invalidParam("dataset_fields", "required when no dataset_id is given");
        }
        ds = draftDataset(userId, input.workspaceId, input.category, input.fields);
      }
      const { valid, errors } = await deps.writer.validate(ds, input.items);
      const room = Math.max(
        0,
        ds.dataset.spec.maxItemCount - (input.ignoreCurrentItemCount ? 0 : ds.dataset.itemCount),
      );
      valid.sort((a, b) => a.index - b.index);
      for (const v of valid.slice(room)) {
        errors.push({
          index: v.index,
          type: ItemErrorType.ExceedDatasetCapacity,
          message: `the dataset takes at most ${ds.dataset.spec.maxItemCount} items`,
        });
      }
      return {
        validIndices: valid.slice(0, room).map((v) => v.index),
        errors: errors.sort((a, b) => a.index - b.index),
      };
    },
  };
}

/** A dataset that does not exist yet, for its items to be checked against. */
function draftDataset(
  userId: bigint,
  workspaceId: bigint,
  category: number | undefined,
  input: FieldInput[],
): DatasetWithSchema {
  const cat = (category ?? Category.General) as Category;
  if (!Object.values(Category).includes(cat)) {
    throw invalidParam("dataset_category", "1 (General), 2, 3 or 4 (Evaluation)");
  }
  const spec = specOf(cat);
  const features = DEFAULT_FEATURES;
  return newDataset(userId, {
    id: 0n,
    schemaId: 0n,
    workspaceId,
    name: "",
    category: cat,
    spec,
    features,
    fields: newFields(input, { spec, features }),
    at: new Date(),
  });
}
