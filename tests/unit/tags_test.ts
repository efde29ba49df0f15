/**
 * Tags below HTTP: the rules (versions, value trees within a spec, change logs) and the
 * service over the embedded database with a spec that allows nested values (the default,
 * the reference's, allows one level, so the end-to-end tests cannot build a tree).
 */
import assert from "node:assert/strict";
import { createSqliteDatabase } from "../../infra/db/sqlite.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { createLocalIdGenerator } from "../../infra/idgen/local.ts";
import { AppError } from "../../domains/errors.ts";
import type { Authz } from "../../domains/foundation/authz.ts";
import { createTagService, type TagService } from "../../domains/data/tags.ts";
import { checkValues, nextVersion } from "../../domains/data/tags_rules.ts";
import type { TagValue, TagValueInput } from "../../domains/data/tags_types.ts";

const SPACE = 7n;
const USER = 11n;
const SPEC = { maxHeight: 3, maxWidth: 4 };

const invalid = (field: string) => (e: unknown) =>
  e instanceof AppError && e.code === 602000202 && e.message.includes(`${field}:`);

async function withTags(fn: (tags: TagService) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tags_unit_" });
  const db = createSqliteDatabase({ path: `${dir}/loop.db` });
  try {
    await db.migrate({ ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS });
    const authz = {
      requireMember: (u: bigint, s: bigint) =>
        u === USER && s === SPACE ? Promise.resolve("owner") : Promise.reject(new Error("no")),
    } as unknown as Authz;
    await fn(
      createTagService({ db, ids: createLocalIdGenerator({ serverId: 312 }), authz, spec: SPEC }),
    );
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const v = (name: string, children: TagValueInput[] = [], id?: bigint): TagValueInput => ({
  name,
  children,
  ...(id ? { tagValueId: id } : {}),
});

/** name(child(grandchild)) of a stored tree, for comparisons. */
const shape = (values: TagValue[]): string =>
  values.map((x) => x.children.length ? `${x.name}(${shape(x.children)})` : x.name).join(",");

Deno.test("tag versions: x.y.z above the current one, or the next patch", () => {
  assert.equal(nextVersion(undefined, undefined), "0.0.1");
  assert.equal(nextVersion("0.0.1", undefined), "0.0.2");
  assert.equal(nextVersion("1.2.999", undefined), "1.3.0");
  assert.equal(nextVersion("1.999.999", undefined), "2.0.0");
  assert.equal(nextVersion("0.0.9", "0.1.0"), "0.1.0");
  assert.throws(() => nextVersion("999.999.999", undefined), invalid("version"));
  for (const bad of ["1.0", "01.0.0", "1.0.1000", "v1.0.0", "1.0.0-beta"]) {
    assert.throws(() => nextVersion(undefined, bad), invalid("version"), bad);
  }
  assert.throws(() => nextVersion("1.0.0", "1.0.0"), invalid("version"));
  assert.throws(() => nextVersion("1.0.0", "0.9.9"), invalid("version"));
});

Deno.test("tag values: levels, width per level (all parents together), unique names", () => {
  const o = { contentType: "categorical" as const, spec: SPEC };
  const ok = checkValues([v(" a ", [v("b", [v("c")])]), v("d")], o);
  assert.equal(ok[0].name, "a", "names trimmed");
  assert.throws(
    () => checkValues([v("a", [v("b", [v("c", [v("d")])])])], o),
    invalid("tag_values.0.children.0.children.0.children"),
  );
  // Two parents with three children each: six on level 2, over the width of four.
  assert.throws(
    () =>
      checkValues([v("a", [v("a1"), v("a2"), v("a3")]), v("b", [v("b1"), v("b2"), v("b3")])], o),
    invalid("tag_values"),
  );
  assert.throws(
    () => checkValues([v("a", [v("x")]), v("x")], o),
    invalid("tag_values.1.tag_value_name"),
  );
  assert.throws(
    () => checkValues([v("a", [], 5n)], { ...o, known: new Set([6n]) }),
    invalid("tag_values.0.tag_value_id"),
  );
  assert.throws(
    () => checkValues([v("a", [], 5n), v("b", [], 5n)], { ...o, known: new Set([5n]) }),
    invalid("tag_values.1.tag_value_id"),
  );
  const bool = { contentType: "boolean" as const, spec: SPEC };
  assert.throws(
    () => checkValues([v("y", [v("z")]), v("n")], bool),
    invalid("tag_values.0.children"),
  );
});

Deno.test("tags over the embedded database: a nested tree kept, moved and renamed by id", async () => {
  await withTags(async (tags) => {
    const id = await tags.create(USER, SPACE, {
      name: "topic",
      values: [v("sports", [v("football", [v("cup")]), v("tennis")]), v("news")],
    });
    const [v0] = await tags.batchGet(USER, SPACE, [id]);
    assert.equal(shape(v0.values), "sports(football(cup),tennis),news");
    const sports = v0.values[0];
    const football = sports.children[0];
    assert.equal(football.parentValueId, sports.tagValueId);
    assert.equal(football.children[0].parentValueId, football.tagValueId);

    // Football moves to the top level (renamed), cup stays under it, tennis is dropped.
    await tags.update(USER, SPACE, id, {
      name: "topic",
      values: [
        v("sports", [], sports.tagValueId),
        v("soccer", [v("cup", [], football.children[0].tagValueId)], football.tagValueId),
        v("news", [], v0.values[1].tagValueId),
      ],
    });
    const [v1] = await tags.batchGet(USER, SPACE, [id]);
    assert.equal(shape(v1.values), "sports,soccer(cup),news");
    assert.equal(v1.values[1].tagValueId, football.tagValueId);
    assert.equal(v1.values[1].parentValueId, 0n);
    assert.equal(v1.values[1].createdAt.getTime(), football.createdAt.getTime());
    assert.deepEqual(
      v1.changeLogs.map((c) => `${c.target} ${c.operation} ${c.beforeValue}>${c.afterValue}`)
        .sort(),
      ["tag_value_name delete tennis>", "tag_value_name update football>soccer"],
    );
    const history = await tags.detail(USER, SPACE, id, {});
    assert.deepEqual(history.tags.map((t) => shape(t.values)), [
      "sports,soccer(cup),news",
      "sports(football(cup),tennis),news",
    ]);
    assert.deepEqual(await tags.spec(USER, SPACE), { maxHeight: 3, maxWidth: 4, maxTotal: 12 });
    await assert.rejects(tags.batchGet(USER, 8n, [id]), /no/, "membership is checked");
    assert.deepEqual(await tags.latest(8n, [id]), [], "another workspace has no such tag");
  });
});
