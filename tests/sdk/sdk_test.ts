/**
 * The official Coze Loop SDKs against our server: Python (PyPI cozeloop 0.1.28, in the venv
 * `scripts/sdk_setup.sh` makes) and Go (cozeloop-go v0.1.23, the module in tests/sdk/go).
 * Each SDK runs its scenario program (tracing, prompt hub, prompt execution) configured only
 * through the COZELOOP_* variables; every scenario must print PASS, and what the server stored
 * is checked here afterwards. One step per scenario, so a failure names it.
 */
import assert from "node:assert/strict";
import { createOAuthApp, type SdkWorld, startWorld } from "./_setup.ts";
import {
  buildGoScenarios,
  missingPrerequisite,
  runScenarios,
  type ScenarioReport,
  tail,
  VENV_PYTHON,
} from "./_runner.ts";
import { VERIFIERS } from "./_verify.ts";

const TRACING = [
  "trace_tree",
  "trace_error",
  "trace_model",
  "trace_large_input",
  "trace_attachment",
  "trace_header",
];
const HUB = [
  "hub_version",
  "hub_label",
  "hub_latest",
  "hub_not_found",
  "hub_image_part",
  "hub_multi_part",
  "hub_jinja2",
  "hub_placeholder",
];
const PTAAS = [
  "exec_basic",
  "exec_unset_vars",
  "exec_image",
  "exec_tool_call",
  "exec_stream",
  "exec_stream_tool_call",
  "exec_error_unknown_prompt",
  "exec_stream_error_before",
  "exec_stream_error_mid",
  "error_logid",
  "exec_trace_context",
];
/** Every scenario each SDK must report as passed. Go cannot send a null version. */
const EXPECTED: Record<string, string[]> = {
  python: [...TRACING, ...HUB, "hub_latest_null", ...PTAAS],
  go: [...TRACING, ...HUB, ...PTAAS],
};

/** One scenario: no FAIL line, a PASS line, and what the server stored checks out. */
async function checkScenario(
  world: SdkWorld,
  sdk: string,
  name: string,
  report: ScenarioReport,
): Promise<void> {
  const failure = report.failed.get(name);
  if (failure !== undefined) assert.fail(`${sdk} ${name}: ${failure}`);
  assert.ok(
    report.passed.has(name),
    `${sdk} ${name} printed no PASS line (exit ${report.code}):\n${tail(report.output)}`,
  );
  await VERIFIERS[name]?.(world, report.data.get(name), sdk);
}

/** A run that reported nothing (the program could not be built). */
function emptyReport(): ScenarioReport {
  return { passed: new Set(), failed: new Map(), data: new Map(), code: -1, output: "" };
}

const ROUTES_API = new URL("../../routes/api/", import.meta.url);

/** Whether the web route that creates OAuth apps exists yet (the JWT scenario needs one). */
function hasOAuthAppRoute(): boolean {
  for (const e of Deno.readDirSync(ROUTES_API)) if (e.name.startsWith("oauth")) return true;
  return false;
}

const skip = await missingPrerequisite();

Deno.test({
  name: `official SDKs (Python cozeloop 0.1.28, Go cozeloop-go v0.1.23)${
    skip ? ` [cannot run: ${skip}]` : ""
  }`,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // A missing toolchain is a failure, not a skip: the tests exist to run.
    assert.equal(skip, undefined, skip ?? "");
    const tmp = await Deno.makeTempDir({ prefix: "coze-loop-sdk-" });
    // Built before the server starts: a cold build takes both cores for half a minute.
    const goBinary = await buildGoScenarios(tmp).catch((e: Error) => e);
    const world = await startWorld();
    try {
      const env = {
        COZELOOP_API_BASE_URL: world.server.url,
        COZELOOP_WORKSPACE_ID: world.user.spaceId,
        COZELOOP_API_TOKEN: world.token,
      };
      const context = (marker: string) =>
        JSON.stringify({ ...world.prompts, marker } satisfies typeof world.prompts);
      // The two SDKs run one after the other: the machine has two cores.
      const reports: [string, ScenarioReport][] = [];
      reports.push([
        "python",
        await runScenarios(VENV_PYTHON, ["tests/sdk/python/scenarios.py"], {
          ...env,
          SDK_SCENARIO_CONTEXT: context("python"),
        }),
      ]);
      reports.push([
        "go",
        goBinary instanceof Error
          ? { ...emptyReport(), output: goBinary.message }
          : await runScenarios(goBinary, [], { ...env, SDK_SCENARIO_CONTEXT: context("go") }),
      ]);
      for (const [sdk, report] of reports) {
        for (const name of EXPECTED[sdk]) {
          await t.step(`${sdk}: ${name}`, () => checkScenario(world, sdk, name, report));
        }
        await t.step(`${sdk}: ran to the end, nothing unexpected`, () => {
          const unknown = [...report.passed, ...report.failed.keys()].filter((n) =>
            !EXPECTED[sdk].includes(n)
          );
          assert.deepEqual(unknown, [], "scenarios this test does not know");
          assert.equal(report.code, 0, `exit code ${report.code}:\n${tail(report.output)}`);
        });
      }
      // The JWT flow: each SDK again, authenticated only by the COZELOOP_JWT_OAUTH_* variables.
      const oauth = hasOAuthAppRoute();
      await t.step({
        name: `JWT OAuth apps${oauth ? "" : " (pending: no OAuth app route in routes/api yet)"}`,
        ignore: !oauth,
        fn: async (t) => {
          const app = await createOAuthApp(world);
          const jwtEnv = {
            COZELOOP_API_BASE_URL: world.server.url,
            COZELOOP_WORKSPACE_ID: world.user.spaceId,
            COZELOOP_JWT_OAUTH_CLIENT_ID: app.clientId,
            COZELOOP_JWT_OAUTH_PRIVATE_KEY: app.privateKeyPem,
            COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID: app.publicKeyId,
          };
          for (const sdk of ["python", "go"]) {
            await t.step(`${sdk}: jwt_oauth`, async () => {
              const env = { ...jwtEnv, SDK_SCENARIO_CONTEXT: context(sdk) };
              if (sdk === "go" && goBinary instanceof Error) assert.fail(goBinary.message);
              const report = sdk === "python"
                ? await runScenarios(VENV_PYTHON, ["tests/sdk/python/scenarios.py"], env)
                : await runScenarios(goBinary as string, [], env);
              await checkScenario(world, sdk, "jwt_oauth", report);
            });
          }
        },
      });
    } finally {
      await world.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
