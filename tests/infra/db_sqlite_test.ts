/**
 * The embedded SQLite database: the Database contract, the server's migrations (applied
 * twice, and compared with the MySQL schema they make), MySQL-shaped values on the real
 * schema, its settings, the writer queue's timeout, and durability across kill -9.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import { createMysqlDatabase } from "../../infra/db/mysql.ts";
import { createSqliteDatabase, type SqliteOptions } from "../../infra/db/sqlite.ts";
import { DB_MIGRATIONS } from "../../infra/db/migrations.ts";
import { DOMAIN_MIGRATIONS } from "../../domains/migrations.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { databaseContract } from "../contract/db_contract.ts";
import { testConfig } from "../_env.ts";

const ALL = { ...DB_MIGRATIONS, ...DOMAIN_MIGRATIONS };

/** A database in a fresh directory, removed on close. */
async function tempDatabase(o: Partial<SqliteOptions> = {}): Promise<Database & { path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "coze_sqlite_" });
  const path = `${dir}/loop.db`;
  const db = createSqliteDatabase({ ...o, path });
  return {
    ...db,
    path,
    close: async () => {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

databaseContract("sqlite", () => tempDatabase());

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name: `sqlite: ${name}`, sanitizeOps: false, sanitizeResources: false, fn });

test("every migration applies, and a second run (or a restart) applies nothing", async () => {
  const db = await tempDatabase();
  try {
    assert.deepEqual(await db.migrate(ALL), Object.keys(ALL).sort());
    assert.deepEqual(await db.migrate(ALL), []);
    const again = createSqliteDatabase({ path: db.path });
    try {
      assert.deepEqual(await again.migrate(ALL), [], "a restarted server applies nothing");
    } finally {
      await again.close();
    }
  } finally {
    await db.close();
  }
});

test("server settings: WAL, synchronous FULL, foreign keys, busy timeout", async () => {
  const db = await tempDatabase({ busyTimeoutMs: 1234 });
  try {
    const one = async (pragma: string) =>
      Object.values((await sql.raw(`pragma ${pragma}`).execute(db.session())).rows[0] as object)[0];
    assert.equal(await one("journal_mode"), "wal");
    assert.equal(Number(await one("synchronous")), 2, "FULL");
    assert.equal(Number(await one("foreign_keys")), 1);
    assert.equal(Number(await one("busy_timeout")), 1234);
  } finally {
    await db.close();
  }
});

test("the real schema reads back in mysql2's shapes", async () => {
  const db = await tempDatabase();
  try {
    await db.migrate(ALL);
    // deno-lint-ignore no-explicit-any
    const k = db.session<any>();
    const id = "7713786502055985153";
    const at = new Date("2025-01-02T03:04:05.678Z");
    const detail = { prompt_template: { messages: [{ role: "user", content: "{{q}}" }] } };
    await k.insertInto("prompt_commits").values({
      id,
      prompt_id: "7713786502055985154",
      space_id: "1",
      version: "1.0.0",
      version_order: 1_000_000,
      detail: JSON.stringify(detail),
      committed_by: "2",
      committed_at: at,
    }).execute();
    const row = await k.selectFrom("prompt_commits").selectAll().where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, {
      id,
      prompt_id: "7713786502055985154",
      space_id: "1",
      version: "1.0.0",
      version_order: "1000000", // bigint column: a string, as with bigNumberStrings
      base_version: "",
      detail, // JSON column: parsed, as mysql2 returns it
      description: "",
      committed_by: "2",
      committed_at: at,
    });
    await k.insertInto("prompt_drafts").values({
      prompt_id: id,
      user_id: "2",
      detail: "{}",
      is_modified: 1,
      created_at: at,
      updated_at: at,
    }).execute();
    const draft = await k.selectFrom("prompt_drafts").select(["is_modified", "detail"])
      .executeTakeFirstOrThrow();
    assert.deepEqual(draft, { is_modified: 1, detail: {} });
    await assert.rejects(
      k.insertInto("prompt_drafts").values({
        prompt_id: "3",
        user_id: "2",
        detail: "{not json",
        created_at: at,
        updated_at: at,
      }).execute(),
      /CHECK constraint failed/,
      "JSON is validated on write, as MariaDB's json does",
    );
    const n = await k.selectFrom("prompt_commits").select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
  } finally {
    await db.close();
  }
});

test("unique keys compare case-insensitively and name their index, as on MySQL", async () => {
  const db = await tempDatabase();
  try {
    await db.migrate(ALL);
    // deno-lint-ignore no-explicit-any
    const k = db.session<any>();
    const user = (id: string, name: string, email: string) => ({
      id,
      name,
      email,
      password_hash: "x",
      created_at: new Date(),
      updated_at: new Date(),
    });
    await k.insertInto("users").values(user("1", "ann", "ann@example.com")).execute();
    await assert.rejects(
      k.insertInto("users").values(user("2", "bob", "ANN@example.com")).execute(),
      (e) => e instanceof AlreadyExistsError && e.key === "uk_users_email",
    );
    await assert.rejects(
      k.insertInto("users").values(user("1", "cid", "cid@example.com")).execute(),
      (e) => e instanceof AlreadyExistsError && e.key === "PRIMARY",
    );
    const found = await k.selectFrom("users").select("id").where("name", "=", "ANN").execute();
    assert.deepEqual(found, [{ id: "1" }]);
  } finally {
    await db.close();
  }
});

test("a write waiting too long for the writer fails instead of hanging", async () => {
  const db = await tempDatabase({ lockTimeoutMs: 100 });
  try {
    await sql`create table t (id int primary key)`.execute(db.session());
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const { promise: didStart, resolve: started } = Promise.withResolvers<void>();
    const tx = db.transaction(async () => {
      await sql`insert into t values (1)`.execute(db.session());
      started();
      await gate;
    });
    await didStart;
    await assert.rejects(sql`insert into t values (2)`.execute(db.session()), /still busy/);
    // Reads outside the transaction do not queue behind it.
    assert.deepEqual((await sql`select count(*) as n from t`.execute(db.session())).rows, [{
      n: 0,
    }]);
    release();
    await tx;
    await sql`insert into t values (2)`.execute(db.session());
  } finally {
    await db.close();
  }
});

test("no acknowledged write is lost when the process is killed with -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "coze_sqlite_kill_" });
  const path = `${dir}/loop.db`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", WRITER],
    env: {
      DB_PATH: path,
      SQLITE_MODULE: new URL("../../infra/db/sqlite.ts", import.meta.url).href,
    },
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const acked: number[] = [];
  const lines = child.stdout.pipeThrough(new TextDecoderStream());
  let buffer = "";
  let killed = false;
  for await (const chunk of lines) {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    acked.push(...parts.map(Number));
    if (!killed && acked.length >= 300) {
      child.kill("SIGKILL");
      killed = true;
    }
  }
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  const db = createSqliteDatabase({ path });
  try {
    const rows = await sql<{ id: number }>`select id from acked`.execute(db.session());
    const stored = new Set(rows.rows.map((r) => Number(r.id)));
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${acked.length} acknowledged, ${stored.size} stored`);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// Writes one row per transaction and prints its id once the commit has resolved.
const WRITER = `
const { createSqliteDatabase } = await import(Deno.env.get("SQLITE_MODULE"));
const { sql } = await import("kysely");
const db = createSqliteDatabase({ path: Deno.env.get("DB_PATH") });
await sql\`create table acked (id integer primary key, body text not null)\`.execute(db.session());
const out = Deno.stdout;
for (let i = 1; ; i++) {
  await db.transaction(() => sql\`insert into acked values (\${i}, \${"x".repeat(500)})\`.execute(db.session()));
  out.writeSync(new TextEncoder().encode(i + "\\n"));
}
`;

test("the migrated schema matches MySQL's: columns, nullability and indexes", async () => {
  const lite = await tempDatabase();
  const my = createMysqlDatabase(testConfig().mysql);
  try {
    await lite.migrate(ALL);
    await my.migrate(ALL);
    const tables = (await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and name not like 'sqlite%' and name not like 'schema_migration%'
      order by name`.execute(lite.session())).rows.map((r) => r.name);
    assert.ok(tables.length >= 13, `tables: ${tables.join(", ")}`);
    for (const table of tables) {
      assert.deepEqual(await sqliteShape(lite, table), await mysqlShape(my, table), table);
    }
  } finally {
    await lite.close();
    await my.close();
  }
});

interface Shape {
  columns: string[];
  indexes: string[];
}

// A column as "name type-family null|not null"; an index as "name unique? (columns)".
const family = (type: string) => {
  const t = type.toLowerCase().replace(" unsigned", "");
  if (/^(integer|bigint)/.test(t)) return "bigint";
  if (/^(json|longtext)/.test(t)) return "json";
  return t.replace(/^(tinyint|int)\(\d+\)/, "$1").replace(/^datetime\(3\)/, "datetime");
};

async function sqliteShape(db: Database, table: string): Promise<Shape> {
  const k = db.session();
  const cols = (await sql<{ name: string; type: string; notnull: number; pk: number }>`
    select name, type, "notnull", pk from pragma_table_info(${table}) order by cid`.execute(k))
    .rows;
  const indexes = [`PRIMARY unique (${cols.filter((c) => c.pk).map((c) => c.name).join(",")})`];
  const list = (await sql<{ name: string; unique: number; origin: string }>`
    select name, "unique", origin from pragma_index_list(${table})`.execute(k)).rows;
  for (const ix of list.filter((i) => i.origin !== "pk")) {
    const on = (await sql<{ name: string }>`select name from pragma_index_info(${ix.name})
      order by seqno`.execute(k)).rows.map((c) => c.name);
    indexes.push(`${ix.name}${Number(ix.unique) ? " unique" : ""} (${on.join(",")})`);
  }
  return {
    columns: cols.map((c) =>
      // A rowid primary key is implicitly not null in MySQL's sense.
      `${c.name} ${family(c.type)} ${Number(c.notnull) || c.pk ? "not null" : "null"}`
    ),
    indexes: indexes.sort(),
  };
}

async function mysqlShape(db: Database, table: string): Promise<Shape> {
  const k = db.session();
  const cols = (await sql<{ name: string; type: string; nullable: string }>`
    select column_name as name, column_type as type, is_nullable as nullable
    from information_schema.columns where table_schema = database() and table_name = ${table}
    order by ordinal_position`.execute(k)).rows;
  const stats = (await sql<{ name: string; non_unique: number; col: string }>`
    select index_name as name, non_unique, column_name as col from information_schema.statistics
    where table_schema = database() and table_name = ${table}
    order by index_name, seq_in_index`.execute(k)).rows;
  const byName = new Map<string, { unique: boolean; cols: string[] }>();
  for (const s of stats) {
    const ix = byName.get(s.name) ?? { unique: Number(s.non_unique) === 0, cols: [] };
    ix.cols.push(s.col);
    byName.set(s.name, ix);
  }
  return {
    columns: cols.map((c) =>
      `${c.name} ${family(c.type)} ${c.nullable === "YES" ? "null" : "not null"}`
    ),
    indexes: [...byName].map(([n, ix]) =>
      `${n}${ix.unique ? " unique" : ""} (${ix.cols.join(",")})`
    )
      .sort(),
  };
}
