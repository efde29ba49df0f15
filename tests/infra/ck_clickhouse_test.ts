import { createClickHouse } from "../../infra/ck/clickhouse.ts";
import { analyticsContract } from "../contract/ck_contract.ts";
import { testConfig } from "../_env.ts";

analyticsContract("clickhouse", () => Promise.resolve(createClickHouse(testConfig().clickhouse)));
