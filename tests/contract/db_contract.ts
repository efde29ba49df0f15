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

interface BigTables {
  [table: string]: { id: string | bigint; n: number; at: Date; note: string | null };
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
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const { promise: didInsert, resolve: inserted } = Promise.withResolvers<void>();
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

  test("duplicate key names the unique index that collided", async (db, t) => {
    const index = `${t}_uk_note`;
    await sql`create unique index ${sql.id(index)} on ${sql.table(t)} (note)`.execute(
      db.session(),
    );
    await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: "n" }).execute();
    await assert.rejects(
      db.session<Tables>().insertInto(t).values({ id: 2, name: "b", note: "n" }).execute(),
      (e) => e instanceof AlreadyExistsError && e.key?.includes(index) === true,
    );
    await assert.rejects(
      db.session<Tables>().insertInto(t).values({ id: 1, name: "c", note: "m" }).execute(),
      (e) => e instanceof AlreadyExistsError && e.key?.includes("PRIMARY") === true,
    );
  });

  test("an update counts the rows it matched, changed or not", async (db, t) => {
    await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null }).execute();
    const r = await db.session<Tables>().updateTable(t).set({ name: "a" }).where("id", "=", 1)
      .executeTakeFirst();
    assert.equal(Number(r.numUpdatedRows), 1);
  });

  test("64-bit integers read back exact (as strings), datetime(3) as Date", async (db, t) => {
    const big = `${t}_big`;
    await sql`create table ${sql.table(big)} (
      id bigint not null primary key, n int not null, at datetime(3) not null, note varchar(16) null
    )`.execute(db.session());
    try {
      const k = db.session<BigTables>();
      const id = "7713786502055985153"; // above 2^53: a double would end in ...5000
      const at = new Date("2024-05-06T07:08:09.123Z");
      await k.insertInto(big).values({ id, n: 5, at, note: null }).execute();
      await k.insertInto(big).values({ id: "9", n: -1, at: new Date(0), note: "x" }).execute();
      assert.deepEqual(
        await k.selectFrom(big).selectAll().where("id", "=", id).executeTakeFirst(),
        { id, n: 5, at, note: null },
      );
      assert.equal(
        (await k.selectFrom(big).select("id").where("id", "=", BigInt(id)).executeTakeFirst())
          ?.id,
        id,
        "a bigint parameter finds the row too",
      );
      const inWindow = await k.selectFrom(big).select("id")
        .where("at", ">=", new Date(at.getTime() - 1)).where("at", "<", new Date(at.getTime() + 1))
        .execute();
      assert.deepEqual(inWindow, [{ id }], "dates compare as times");
      const ordered = await k.selectFrom(big).select("id").orderBy("id", "asc").execute();
      assert.deepEqual(ordered.map((r) => r.id), ["9", id], "ids order as numbers");
    } finally {
      await sql`drop table if exists ${sql.table(big)}`.execute(db.session());
    }
  });

  test("a write outside a transaction survives its rollback", async (db, t) => {
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const { promise: didInsert, resolve: inserted } = Promise.withResolvers<void>();
    const tx = db.transaction(async () => {
      await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null }).execute();
      inserted();
      await gate;
      throw new Error("roll back");
    });
    await didInsert;
    // Not awaited yet: an embedded database may make it wait for the transaction.
    const outside = db.session<Tables>().insertInto(t).values({ id: 2, name: "b", note: null })
      .execute();
    release();
    await assert.rejects(tx, /roll back/);
    await outside;
    const rows = await db.session<Tables>().selectFrom(t).select("id").execute();
    assert.deepEqual(rows.map((r) => Number(r.id)), [2]);
  });

  test("concurrent transactions neither see nor clobber each other's writes", async (db, t) => {
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const { promise: didInsert, resolve: inserted } = Promise.withResolvers<void>();
    const a = db.transaction(async () => {
      await db.session<Tables>().insertInto(t).values({ id: 1, name: "a", note: null }).execute();
      inserted();
      await gate;
      throw new Error("abort a");
    });
    await didInsert;
    const b = db.transaction(async () => {
      const seen = await count(db, t);
      await db.session<Tables>().insertInto(t).values({ id: 2, name: "b", note: null }).execute();
      return seen;
    });
    await new Promise((r) => setTimeout(r, 20));
    release();
    await assert.rejects(a, /abort a/);
    assert.equal(await b, 0, "b never saw a's uncommitted row");
    const rows = await db.session<Tables>().selectFrom(t).select("id").execute();
    assert.deepEqual(rows.map((r) => Number(r.id)), [2], "a's rollback left b's row alone");
  });

  test("read-modify-write under forUpdate loses no update", async (db, t) => {
    await db.session<Tables>().insertInto(t).values({ id: 1, name: "0", note: null }).execute();
    const bump = () =>
      db.transaction(async () => {
        const r = await db.session<Tables>().selectFrom(t).select("name").where("id", "=", 1)
          .forUpdate().executeTakeFirstOrThrow();
        await new Promise((res) => setTimeout(res, 2)); // let the others run meanwhile
        await db.session<Tables>().updateTable(t).set({ name: String(Number(r.name) + 1) })
          .where("id", "=", 1).execute();
      });
    await Promise.all(Array.from({ length: 8 }, bump));
    const r = await db.session<Tables>().selectFrom(t).select("name").where("id", "=", 1)
      .executeTakeFirstOrThrow();
    assert.equal(r.name, "8");
  });

  test(
    "stream reads in chunks, sees its transaction's writes, and can stop early",
    async (db, t) => {
      const ids = async (chunk: number, stopAfter = Infinity) => {
        const seen: number[] = [];
        for await (
          const r of db.session<Tables>().selectFrom(t).select("id").orderBy("id").stream(chunk)
        ) {
          seen.push(Number(r.id));
          if (seen.length >= stopAfter) break;
        }
        return seen;
      };
      for (let id = 1; id <= 5; id++) {
        await db.session<Tables>().insertInto(t).values({ id, name: `n${id}`, note: null })
          .execute();
      }
      assert.deepEqual(await ids(2), [1, 2, 3, 4, 5]);
      await db.transaction(async () => {
        await db.session<Tables>().insertInto(t).values({ id: 6, name: "n6", note: null })
          .execute();
        assert.deepEqual(await ids(4), [1, 2, 3, 4, 5, 6]);
      });
      assert.deepEqual(await ids(1, 1), [1]);
      // The abandoned stream holds no snapshot: a later commit is visible to the next read.
      await db.session<Tables>().insertInto(t).values({ id: 7, name: "n7", note: null }).execute();
      assert.equal(await count(db, t), 7);
      // Nor does one being consumed: other reads meanwhile see new commits.
      for await (const _ of db.session<Tables>().selectFrom(t).select("id").stream(1)) {
        await db.session<Tables>().insertInto(t).values({ id: 8, name: "n8", note: null })
          .execute();
        assert.equal(await count(db, t), 8);
        break;
      }
    },
  );

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
