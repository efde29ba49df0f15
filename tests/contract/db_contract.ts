/**
 * Contract suite for `Database`: any implementation (MySQL, embedded) must pass it.
 */
import assert from "node:assert/strict";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../infra/db/mod.ts";
import { AlreadyExistsError } from "../../infra/errors.ts";
import { uniqueSuffix } from "../_env.ts";

interface Tables {
  [table: string]: { id: number; name: string; note: string | null };
}

// deno-lint-ignore no-explicit-any
type AnyKysely = Kysely<any>;

/** Registers the database contract tests for one implementation. */
export function databaseContract(impl: string, open: () => Promise<Database>): void {
  const test = (name: string, fn: (db: Database, table: string) => Promise<void>) =>
    Deno.test({
      name: `db contract (${impl}): ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const db = await open();
        const table = `contract_${uniqueSuffix()}`;
        try {
          await sql`create table ${sql.table(table)} (
            id int primary key, name varchar(64) not null unique, note varchar(255) null
          )`.execute(db.session());
          await fn(db, table);
        } finally {
          await sql`drop table if exists ${sql.table(table)}`.execute(db.session()).catch(() => {});
          await db.close();
        }
      },
    });

  const count = async (db: Database, table: string) => {
    const r = await db.session<Tables>().selectFrom(table).select((eb) =>
      eb.fn.countAll<number>().as("n")
    ).executeTakeFirstOrThrow();
    return Number(r.n);
  };

  test("ping answers", async (db) => {
    await db.ping();
  });

  test("commit on success, and read-your-writes inside the transaction", async (db, t) => {
    const seen = await db.transaction(async () => {
      await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null }).execute();
      assert.equal(db.inTransaction(), true);
      // The ambient session sees the uncommitted row; another connection does not.
      return await db.session<Tables>().selectFrom(t).selectAll().where("id", "=", 1)
        .executeTakeFirst();
    });
    assert.equal(seen?.name, "a");
    assert.equal(db.inTransaction(), false);
    assert.equal(await count(db, t), 1);
  });

  test("rollback on throw", async (db, t) => {
    await assert.rejects(
      db.transaction(async () => {
        await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null })
          .execute();
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await count(db, t), 0);
  });

  test("nested transaction joins the outer one", async (db, t) => {
    await assert.rejects(
      db.transaction(async (outer) => {
        await db.transaction(async (inner) => {
          assert.equal(inner, outer, "nested call gets the outer session");
          await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null })
            .execute();
        });
        // The inner block finished without committing on its own.
        throw new Error("outer fails");
      }),
      /outer fails/,
    );
    assert.equal(await count(db, t), 0, "inner write rolled back with the outer transaction");
    await db.transaction(() =>
      db.transaction(() =>
        db.session<Tables>().insertInto(t).values({ id: 2, name: "b", note: null }).execute()
      )
    );
    assert.equal(await count(db, t), 1);
  });

  test("uncommitted writes are invisible outside the transaction", async (db, t) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const didInsert = new Promise<void>((r) => (inserted = r));
    const tx = db.transaction(async () => {
      await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null }).execute();
      inserted();
      await gate;
    });
    await didInsert;
    assert.equal(await count(db, t), 0, "outside sees nothing before commit");
    release();
    await tx;
    assert.equal(await count(db, t), 1);
  });

  test("duplicate key maps to AlreadyExistsError", async (db, t) => {
    await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null }).execute();
    await assert.rejects(
      db.session<Tables>().insertInto(t).values({ id: 2, name: "a", note: null }).execute(),
      (e) => e instanceof AlreadyExistsError,
    );
    await assert.rejects(
      db.transaction(() =>
        db.session<Tables>().insertInto(t).values({ id: 1, name: "z", note: null }).execute()
      ),
      (e) => e instanceof AlreadyExistsError,
    );
    assert.equal(await count(db, t), 1);
  });

  test("values are parameters, never SQL", async (db, t) => {
    const hostile = `a'); drop table ${t}; -- \\ "`;
    await db.session<Tables>().insertInto(t).values({ id: 1, name: hostile, note: null }).execute();
    const row = await db.session<Tables>().selectFrom(t).selectAll().where("name", "=", hostile)
      .executeTakeFirst();
    assert.equal(row?.name, hostile);
  });

  test("migrations apply once, in order, under a lock", async (db, t) => {
    const table = `${t}_m`;
    const applied: string[] = [];
    const migrations = {
      [`${t}_001`]: {
        up: async (k: AnyKysely) => {
          applied.push("001");
          await sql`create table ${sql.table(table)} (id int primary key)`.execute(k);
        },
      },
      [`${t}_002`]: {
        up: async (k: AnyKysely) => {
          applied.push("002");
          await sql`alter table ${sql.table(table)} add column v int not null default 7`.execute(k);
        },
      },
    };
    try {
      // Two concurrent runners: the lock makes exactly one apply each migration.
      const history = { history: `${t}_history` };
      const [a, b] = await Promise.all([
        db.migrate(migrations, history),
        db.migrate(migrations, history),
      ]);
      assert.deepEqual([...a, ...b].sort(), [`${t}_001`, `${t}_002`]);
      assert.deepEqual(applied, ["001", "002"]);
      assert.deepEqual(await db.migrate(migrations, history), [], "second start applies nothing");
      await sql`insert into ${sql.table(table)} (id) values (1)`.execute(db.session());
      const r = await sql<{ v: number }>`select v from ${sql.table(table)}`.execute(db.session());
      assert.equal(Number(r.rows[0].v), 7);
    } finally {
      await sql`drop table if exists ${sql.table(table)}`.execute(db.session());
      await sql`drop table if exists ${sql.table(`${t}_history`)}`.execute(db.session());
      await sql`drop table if exists ${sql.table(`${t}_history_lock`)}`.execute(db.session());
    }
  });
}
