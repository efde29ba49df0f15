/**
 * The foundation and prompt domains, unchanged, over each relational database: accounts,
 * tokens, prompts, drafts, commits, labels, the hub, clone and delete, debug context. The
 * same steps run on SQLite (a fresh file) and on MySQL, so the two answer alike. The cache,
 * the broadcast and the id generator are the embedded ones; the limiter is Redis.
 */
import assert from "node:assert/strict";
import type { Database } from "../../infra/db/mod.ts";
import { createSqliteDatabase } from "../../infra/db/sqlite.ts";
import { createMysqlDatabase } from "../../infra/db/mysql.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { createMemoryCache } from "../../infra/memory/cache.ts";
import { createMemoryBroadcast } from "../../infra/memory/broadcast.ts";
import { createLocalIdGenerator } from "../../infra/idgen/local.ts";
import { createRedisClient, type RedisClient } from "../../infra/redis/client.ts";
import { createRedisLimiter, withReservoir } from "../../infra/redis/limiter.ts";
import { AppError, Codes } from "../../domains/errors.ts";
import { createAuthz } from "../../domains/foundation/authz.ts";
import { createAccountService } from "../../domains/foundation/accounts.ts";
import { createSessionService } from "../../domains/foundation/sessions.ts";
import { createTokenService } from "../../domains/foundation/tokens.ts";
import { createWorkspaceService } from "../../domains/foundation/workspaces.ts";
import { createPromptCache } from "../../domains/prompt/cache.ts";
import { createPromptService } from "../../domains/prompt/prompts.ts";
import { createLabelService } from "../../domains/prompt/labels.ts";
import { createVersioningService } from "../../domains/prompt/versioning.ts";
import { createPromptHubService } from "../../domains/prompt/hub.ts";
import { createDebugService } from "../../domains/prompt/debug.ts";
import type { PromptRuntime } from "../../domains/prompt/execute.ts";
import { validateDetail } from "../../domains/prompt/validate.ts";
import { testConfig, uniqueSuffix } from "../_env.ts";

function services(db: Database, redis: RedisClient) {
  const cache = createMemoryCache();
  const broadcast = createMemoryBroadcast();
  const ids = createLocalIdGenerator({ serverId: 77 });
  const limiter = createRedisLimiter(redis, { prefix: `test:${uniqueSuffix()}:` });
  const authz = createAuthz({ db, cache, broadcast });
  const sessions = createSessionService({ secret: "s".repeat(32), cache });
  const promptCache = createPromptCache<never>({ cache, broadcast });
  const prompts = createPromptService({ db, ids, authz, cache: promptCache });
  const labels = createLabelService({ db, ids, authz, prompts, cache: promptCache });
  const runner = new Proxy({}, {
    get: () => () => Promise.reject(new Error("no model runs in this test")),
  }) as PromptRuntime;
  return {
    authz,
    prompts,
    labels,
    accounts: createAccountService({ db, ids, sessions, limiter }),
    workspaces: createWorkspaceService({ db, authz }),
    tokens: createTokenService({ db, ids, cache, broadcast }),
    versioning: createVersioningService({
      db,
      ids,
      prompts,
      labels,
      cache: promptCache,
      validate: validateDetail,
    }),
    hub: createPromptHubService({
      db,
      authz,
      limiter: withReservoir(limiter),
      labels,
      cache: promptCache,
    }),
    debug: createDebugService({ db, ids, prompts, runner }),
  };
}

const failsWith = (code: number) => (e: unknown) => e instanceof AppError && e.code === code;

const detail = (text: string) => ({
  prompt_template: {
    template_type: "normal" as const,
    messages: [{ role: "system" as const, content: text }, {
      role: "user" as const,
      content: "{{q}}",
    }],
    variable_defs: [{ key: "q", type: "string" }],
  },
});

function domainFlows(impl: string, open: () => Promise<Database>): void {
  Deno.test({
    name: `domains over ${impl}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const db = await open();
      const redis = createRedisClient(testConfig().redis);
      try {
        await db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
        await flows(t, services(db, redis));
      } finally {
        await db.close();
        await redis.close();
      }
    },
  });
}

async function flows(t: Deno.TestContext, s: ReturnType<typeof services>): Promise<void> {
  const sfx = uniqueSuffix();
  let userId = 0n, spaceId = 0n, promptId = 0n;

  await t.step("register: user, personal workspace and membership in one transaction", async () => {
    const { user } = await s.accounts.register({
      email: `Ann_${sfx}@Example.com`,
      password: "pw-12345678",
    });
    userId = user.id;
    assert.ok(userId > 2n ** 53n, "a 64-bit id");
    const login = await s.accounts.login({
      email: `ann_${sfx}@example.com`,
      password: "pw-12345678",
      clientAddress: "127.0.0.1",
    });
    assert.equal(login.user.id, userId);
    assert.ok(login.user.createdAt instanceof Date);
    const { spaces, total } = await s.workspaces.list(userId, {});
    assert.equal(total, 1);
    spaceId = spaces[0].id;
    assert.equal(spaces[0].ownerUserId, userId);
    assert.ok(spaces[0].createdAt instanceof Date);
    assert.equal(await s.authz.requireMember(userId, spaceId), "owner");
    await assert.rejects(
      s.accounts.register({ email: `ann_${sfx}@example.com`, password: "pw-12345678" }),
      failsWith(Codes.userEmailExists),
    );
  });

  await t.step("personal access token: create, verify, rename, revoke", async () => {
    const { token, record } = await s.tokens.create(userId, { name: "ci" });
    assert.equal(await s.tokens.verify(token), userId);
    assert.deepEqual((await s.tokens.list(userId, {})).map((x) => x.id), [record.id]);
    await s.tokens.rename(userId, record.id, "ci-2");
    assert.equal((await s.tokens.get(userId, record.id)).name, "ci-2");
    await s.tokens.remove(userId, record.id);
    assert.equal(await s.tokens.verify(token), null);
  });

  const key = `greet_${sfx}`;
  await t.step("create a prompt; its key is unique case-insensitively", async () => {
    const p = await s.prompts.create(userId, {
      workspaceId: spaceId,
      promptKey: key,
      name: "Greeter",
      draftDetail: detail("v0"),
    });
    promptId = p.id;
    const view = await s.prompts.get(userId, promptId, { withDraft: true });
    assert.equal(view.prompt.id, promptId);
    assert.deepEqual(view.draft?.detail, detail("v0"));
    assert.equal(view.draft?.isModified, false);
    await assert.rejects(
      s.prompts.create(userId, { workspaceId: spaceId, promptKey: key.toUpperCase(), name: "x" }),
      failsWith(Codes.promptKeyExists),
    );
    await s.prompts.create(userId, {
      workspaceId: spaceId,
      promptKey: `greetXa_${sfx}`,
      name: "y",
    });
    const found = await s.prompts.list(userId, { workspaceId: spaceId, keyword: "greet_" });
    assert.deepEqual(found.prompts.map((p) => p.promptKey), [key], "'_' in a keyword is literal");
  });

  await t.step("save a draft twice (insert, then update in place)", async () => {
    const first = await s.versioning.saveDraft(userId, promptId, { detail: detail("v1") });
    await new Promise((r) => setTimeout(r, 5));
    const second = await s.versioning.saveDraft(userId, promptId, { detail: detail("v1b") });
    const { draft } = await s.prompts.get(userId, promptId, { withDraft: true });
    assert.deepEqual(draft?.detail, detail("v1b"));
    assert.equal(draft?.isModified, true);
    assert.equal(draft?.createdAt.getTime(), first.createdAt.getTime());
    assert.equal(draft?.updatedAt.getTime(), second.updatedAt.getTime());
  });

  await t.step("commit versions; labels follow; older versions are refused", async () => {
    await s.versioning.commit(userId, promptId, { version: "1.0.0", labelKeys: ["production"] });
    await s.versioning.saveDraft(userId, promptId, { detail: detail("v2") });
    await s.versioning.commit(userId, promptId, { version: "1.1.0" });
    await assert.rejects(
      s.versioning.commit(userId, promptId, { version: "1.0.5" }),
      failsWith(Codes.promptVersionExists),
    );
    const racers = await Promise.allSettled(
      Array.from({ length: 4 }, () => s.versioning.commit(userId, promptId, { version: "2.0.0" })),
    );
    assert.equal(racers.filter((r) => r.status === "fulfilled").length, 1, "one commit wins");
    const p = (await s.prompts.get(userId, promptId)).prompt;
    assert.equal(p.latestVersion, "2.0.0");
    assert.ok(p.latestCommittedAt instanceof Date);
  });

  await t.step("move a label, custom labels, label history", async () => {
    await s.labels.create(userId, spaceId, "canary");
    await assert.rejects(
      s.labels.create(userId, spaceId, "canary"),
      failsWith(Codes.promptLabelExists),
    );
    await s.labels.setForVersion(userId, promptId, "1.1.0", ["production", "canary"]);
    const mapping = await s.labels.mappingFor(userId, promptId);
    assert.deepEqual(Object.fromEntries(mapping), { production: "1.1.0", canary: "1.1.0" });
    const history = await s.labels.history(userId, promptId);
    assert.deepEqual(
      history.map((h) => `${h.labelKey}: ${h.fromVersion ?? "-"} -> ${h.toVersion}`).sort(),
      ["canary: - -> 1.1.0", "production: - -> 1.0.0", "production: 1.0.0 -> 1.1.0"],
    );
  });

  await t.step("list commits page by page, newest first", async () => {
    const page1 = await s.versioning.listCommits(userId, promptId, { pageSize: 2 });
    assert.deepEqual(page1.commits.map((c) => c.version), ["2.0.0", "1.1.0"]);
    assert.equal(page1.hasMore, true);
    assert.deepEqual(page1.labels.get("1.1.0")?.sort(), ["canary", "production"]);
    const page2 = await s.versioning.listCommits(userId, promptId, {
      pageSize: 2,
      pageToken: page1.nextPageToken,
    });
    assert.deepEqual(page2.commits.map((c) => c.version), ["1.0.0"]);
    assert.equal(page2.hasMore, false);
    assert.deepEqual(page2.commits[0].detail, detail("v1b"));
  });

  await t.step("mget through the hub: latest, by version, by label", async () => {
    const got = await s.hub.mget(userId, spaceId, [
      { prompt_key: key },
      { prompt_key: key, version: "1.0.0" },
      { prompt_key: key, label: "production" },
    ]);
    assert.deepEqual(got.map((g) => g.prompt.version), ["2.0.0", "1.0.0", "1.1.0"]);
    assert.equal(got[0].prompt.id, promptId.toString());
    assert.equal(got[1].prompt.prompt_template.messages?.[0].content, "v1b");
  });

  await t.step("clone a version, then delete the source", async () => {
    const clone = await s.prompts.clone(userId, promptId, {
      commitVersion: "1.0.0",
      promptKey: `${key}_copy`,
      name: "Copy",
    });
    const view = await s.prompts.get(userId, clone.id, { withDraft: true });
    assert.deepEqual(view.draft?.detail, detail("v1b"));
    await s.prompts.remove(userId, promptId);
    await assert.rejects(s.prompts.get(userId, promptId), failsWith(Codes.promptNotFound));
    await assert.rejects(
      s.hub.mget(userId, spaceId, [{ prompt_key: key }]),
      failsWith(Codes.promptNotFound),
    );
    // A deleted prompt frees its key.
    await s.prompts.create(userId, { workspaceId: spaceId, promptKey: key, name: "Again" });
  });

  await t.step("debug context is saved per user and replaced", async () => {
    const p = (await s.prompts.list(userId, { workspaceId: spaceId, keyword: `${key}_copy` }))
      .prompts[0];
    await s.debug.saveContext(userId, p.id, { a: 1 });
    await s.debug.saveContext(userId, p.id, { b: [2, "x"] });
    assert.deepEqual(await s.debug.getContext(userId, p.id), { b: [2, "x"] });
  });
}

domainFlows("sqlite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "coze_sqlite_domains_" });
  const db = createSqliteDatabase({ path: `${dir}/loop.db` });
  return {
    ...db,
    close: async () => {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

domainFlows("mysql", () => Promise.resolve(createMysqlDatabase(testConfig().mysql)));
