import { createMysqlDatabase } from "../../infra/db/mysql.ts";
import { databaseContract } from "../contract/db_contract.ts";
import { testConfig } from "../_env.ts";

databaseContract("mysql", () => Promise.resolve(createMysqlDatabase(testConfig().mysql)));
