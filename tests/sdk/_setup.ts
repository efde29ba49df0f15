/**
 * What the SDK scenarios run against: a server whose model is the local fake LLM, a
 * registered user with a token, and the prompts the scenarios fetch and execute, created and
 * committed through the web routes as a person would in the console.
 */
import assert from "node:assert/strict";
import { type ServerProcess, startServer } from "../_server.ts";
import { FAKE_LLM_API_KEY, type FakeLlm, startFakeLlm } from "../fixtures/fake_llm_server.ts";
import { createToken, post, registerUser, type TestUser } from "../e2e/_client.ts";

const P = "/api/prompt/v1/prompts";

/** Prompt keys and a marker per SDK, handed to the scenario programs as JSON. */
export interface ScenarioContext {
  chat_key: string;
  jinja_key: string;
  multi_key: string;
  missing_key: string;
  marker?: string;
  only?: string[];
}

/** The running pieces of one SDK test. */
export interface SdkWorld {
  llm: FakeLlm;
  server: ServerProcess;
  user: TestUser;
  token: string;
  prompts: ScenarioContext;
  close(): Promise<void>;
}

/** Starts the fake LLM and the server, registers a user and creates the prompts. */
export async function startWorld(): Promise<SdkWorld> {
  const llm = await startFakeLlm({ apiKey: FAKE_LLM_API_KEY });
  const models = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(
    models,
    `models:
  - { id: 1, name: fake-gpt, protocol: openai, base_url: "${llm.url}/v1", api_key_env: FAKE_LLM_KEY, model: gpt-fake }
`,
  );
  let server: ServerProcess | undefined;
  try {
    server = await startServer({
      COZE_LOOP_MODELS_FILE: models,
      FAKE_LLM_KEY: FAKE_LLM_API_KEY,
      COZE_LOOP_LLM_TIMEOUT_S: "10",
    });
    const user = await registerUser(server);
    const token = await createToken(server, user.cookie);
    const prompts = await createPrompts(server, user);
    const s = server;
    return {
      llm,
      server,
      user,
      token,
      prompts,
      async close() {
        await s.stop();
        await llm.close();
        await Deno.remove(models);
      },
    };
  } catch (e) {
    await server?.stop();
    await llm.close();
    await Deno.remove(models);
    throw e;
  }
}

const tools = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "weather of a city",
    parameters: '{"type":"object","properties":{"city":{"type":"string"}}}',
  },
}];

function chatDetail(system: string) {
  return {
    prompt_template: {
      template_type: "normal",
      messages: [
        { role: "system", content: system },
        { role: "placeholder", content: "history" },
        { role: "user", content: "{{question}}" },
      ],
      variable_defs: [
        { key: "topic", desc: "the topic", type: "string" },
        { key: "history", desc: "earlier turns", type: "placeholder" },
        { key: "question", desc: "the question", type: "string" },
      ],
    },
    tools,
    tool_call_config: { tool_choice: "auto" },
    model_config: { model_id: "1", temperature: 0.4, max_tokens: 100 },
  };
}

const jinjaDetail = {
  prompt_template: {
    template_type: "jinja2",
    messages: [
      {
        role: "system",
        content:
          "Cities: {% for c in cities %}{{ c }};{% endfor %}{% if formal %} Be formal.{% endif %}",
      },
      { role: "user", content: "{{ question }}" },
    ],
    variable_defs: [
      { key: "cities", desc: "cities to compare", type: "array<string>" },
      // No desc: the SDKs still need the field (Python refuses a variable_def without it).
      { key: "formal", type: "boolean" },
      { key: "question", desc: "the question", type: "string" },
    ],
  },
  model_config: { model_id: "1" },
};

const multiDetail = {
  prompt_template: {
    template_type: "normal",
    messages: [{
      role: "user",
      parts: [
        { type: "text", text: "Describe {{subject}}:" },
        { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
        { type: "multi_part_variable", text: "extra" },
      ],
    }],
    variable_defs: [
      { key: "subject", desc: "what to describe", type: "string" },
      { key: "extra", desc: "more parts", type: "multi_part" },
    ],
  },
  model_config: { model_id: "1" },
};

/**
 * The chat prompt (1.0.0 labelled beta, then 1.1.0 as latest), a jinja2 prompt and a
 * multimodal one with a multi-part variable.
 */
async function createPrompts(server: ServerProcess, u: TestUser): Promise<ScenarioContext> {
  const base = `sdk_${crypto.randomUUID().slice(0, 8)}`;
  const keys = {
    chat_key: `${base}_chat`,
    jinja_key: `${base}_jinja`,
    multi_key: `${base}_multi`,
    missing_key: `${base}_missing`,
  };
  const chat = await create(server, u, keys.chat_key, chatDetail("You help with {{topic}}."));
  await commit(server, u, chat, "1.0.0", ["beta"]);
  const saved = await post(server, `${P}/${chat}/drafts/save`, {
    prompt_draft: { detail: chatDetail("You are an expert on {{topic}}.") },
  }, u);
  assert.equal(saved.body.code, 0, JSON.stringify(saved.body));
  await commit(server, u, chat, "1.1.0");
  await commit(server, u, await create(server, u, keys.jinja_key, jinjaDetail), "1.0.0");
  await commit(server, u, await create(server, u, keys.multi_key, multiDetail), "1.0.0");
  return keys;
}

async function create(server: ServerProcess, u: TestUser, key: string, detail: unknown) {
  const r = await post(server, P, {
    workspace_id: u.spaceId,
    prompt_key: key,
    prompt_name: key,
    draft_detail: detail,
  }, u);
  assert.equal(r.body.code, 0, `create ${key}: ${JSON.stringify(r.body)}`);
  return r.body.prompt_id as string;
}

async function commit(
  server: ServerProcess,
  u: TestUser,
  id: string,
  version: string,
  labels?: string[],
) {
  const r = await post(server, `${P}/${id}/drafts/commit`, {
    commit_version: version,
    ...(labels ? { label_keys: labels } : {}),
  }, u);
  assert.equal(r.body.code, 0, `commit ${version}: ${JSON.stringify(r.body)}`);
}

/** What an SDK needs to authenticate as a JWT OAuth app (the COZELOOP_JWT_OAUTH_* values). */
export interface OAuthApp {
  clientId: string;
  privateKeyPem: string;
  publicKeyId: string;
}

/**
 * Creates an OAuth app for the user's workspace through the web routes, with a fresh RSA key
 * pair whose public half it registers.
 */
export async function createOAuthApp(world: SdkWorld): Promise<OAuthApp> {
  const { server, user } = world;
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const pem = async (format: "spki" | "pkcs8", key: CryptoKey, label: string) => {
    const der = new Uint8Array(await crypto.subtle.exportKey(format, key));
    const b64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n").trimEnd();
    return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
  };
  const app = await post(server, "/api/permission/oauth2/apps", {
    name: "sdk tests",
    workspace_ids: [user.spaceId],
  }, user);
  assert.equal(app.body.code, 0, `create OAuth app: ${JSON.stringify(app.body)}`);
  const key = await post(server, `/api/permission/oauth2/apps/${app.body.app.id}/public_keys`, {
    public_key: await pem("spki", pair.publicKey, "PUBLIC KEY"),
    algorithm: "RS256",
  }, user);
  assert.equal(key.body.code, 0, `add public key: ${JSON.stringify(key.body)}`);
  return {
    clientId: app.body.client_id,
    privateKeyPem: await pem("pkcs8", pair.privateKey, "PRIVATE KEY"),
    publicKeyId: key.body.key_id,
  };
}
