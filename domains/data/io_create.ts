/**
 * A dataset created together with an import into it (the evaluation API's
 * `create_with_import`): the mappings are checked against the fields first, then the dataset
 * is created and the import job started; if the import is refused (a missing file, a bad
 * format), the new dataset is deleted again, so a refused request leaves nothing behind.
 */
import { invalidParam } from "../errors.ts";
import type { CreateDatasetInput, DatasetService } from "./datasets.ts";
import type { ImportInput, IoJobService } from "./io_jobs.ts";

/** Creates the dataset, then starts the import; answers both ids. */
export async function createWithImport(
  deps: {
    datasets: Pick<DatasetService, "create" | "remove">;
    jobs: Pick<IoJobService, "createImport">;
  },
  userId: bigint,
  input: {
    dataset: CreateDatasetInput;
    file: ImportInput["file"];
    fieldMappings: ImportInput["fieldMappings"];
    overwrite?: boolean;
  },
): Promise<{ datasetId: bigint; jobId: bigint }> {
  const names = new Set(input.dataset.fields.map((f) => f.name.trim()));
  if (!input.fieldMappings.length) throw invalidParam("fieldMappings", "at least one");
  input.fieldMappings.forEach((m, i) => {
    if (!names.has(m.target)) {
      throw invalidParam(
        `fieldMappings[${i}].target`,
        `no field ${JSON.stringify(m.target.slice(0, 128))} in the schema`,
      );
    }
  });
  const ds = await deps.datasets.create(userId, input.dataset);
  const datasetId = ds.dataset.id;
  try {
    const jobId = await deps.jobs.createImport(userId, {
      workspaceId: input.dataset.workspaceId,
      datasetId,
      file: input.file,
      fieldMappings: input.fieldMappings,
      overwrite: input.overwrite,
    });
    return { datasetId, jobId };
  } catch (err) {
    await deps.datasets.remove(userId, datasetId, input.dataset.workspaceId);
    throw err;
  }
}
