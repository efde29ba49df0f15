/**
 * Runs one SDK's scenario program (the Python script in the venv `scripts/sdk_setup.sh` made,
 * or the Go program built from tests/sdk/go) and parses the lines it prints:
 * `PASS name`, `FAIL name: reason` and `DATA name {json}`.
 */
const ROOT = new URL("../..", import.meta.url).pathname;

/** The Python interpreter of the SDK venv. */
export const VENV_PYTHON = `${ROOT}.sdk/venv/bin/python`;

/** What one run of a scenario program reported. */
export interface ScenarioReport {
  passed: Set<string>;
  failed: Map<string, string>;
  // deno-lint-ignore no-explicit-any
  data: Map<string, any>;
  code: number;
  output: string;
}

/** Why the SDK tests cannot run here (a missing toolchain or setup), or undefined. */
export async function missingPrerequisite(): Promise<string | undefined> {
  try {
    await Deno.stat(VENV_PYTHON);
  } catch {
    return `${VENV_PYTHON} is missing: run scripts/sdk_setup.sh (deno task test does)`;
  }
  const go = await new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" })
    .output().catch(() => undefined);
  if (!go?.success) return "the go toolchain is missing (the Go SDK tests need it)";
  return undefined;
}

/** Builds the Go scenario program into `dir`; returns the binary's path. */
export async function buildGoScenarios(dir: string): Promise<string> {
  const bin = `${dir}/go_scenarios`;
  const out = await new Deno.Command("go", {
    args: ["build", "-o", bin, "."],
    cwd: `${ROOT}tests/sdk/go`,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  if (!out.success) {
    const dec = new TextDecoder();
    throw new Error(`go build failed:\n${dec.decode(out.stdout)}${dec.decode(out.stderr)}`);
  }
  return bin;
}

/**
 * Runs `command args` with the environment of the tests less any COZELOOP_* variable, plus
 * `env`; returns what it reported.
 */
export async function runScenarios(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 240_000,
): Promise<ScenarioReport> {
  const base = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("COZELOOP_")),
  );
  const out = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    // No __pycache__ left in the work tree by the Python scenarios.
    env: { ...base, PYTHONDONTWRITEBYTECODE: "1", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  const report: ScenarioReport = {
    passed: new Set(),
    failed: new Map(),
    data: new Map(),
    code: out.code,
    output: `${stdout}${dec.decode(out.stderr)}`,
  };
  for (const line of stdout.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^PASS (\S+)/.exec(line))) report.passed.add(m[1]);
    else if ((m = /^FAIL (\S+?): (.*)$/.exec(line))) report.failed.set(m[1], m[2]);
    else if ((m = /^DATA (\S+) (.*)$/.exec(line))) report.data.set(m[1], JSON.parse(m[2]));
  }
  return report;
}

/** The last lines of a program's output, for failure messages. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
