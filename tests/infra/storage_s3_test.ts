import { createS3Storage } from "../../infra/storage/s3.ts";
import { storageContract } from "../contract/storage_contract.ts";
import { testConfig } from "../_env.ts";

storageContract("s3", () => Promise.resolve(createS3Storage(testConfig().s3)));
