import { createKafkaQueue } from "../../infra/mq/kafka.ts";
import { queueContract } from "../contract/mq_contract.ts";
import { testConfig } from "../_env.ts";

queueContract(
  "kafka",
  () =>
    Promise.resolve(createKafkaQueue({ ...testConfig().kafka, internalPrefix: "test.coze_loop." })),
);
