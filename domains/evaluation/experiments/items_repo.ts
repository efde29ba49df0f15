/**
 * The per-item run state of experiments (`expt_items`), as compare-and-set updates so that
 * several processes can work on one experiment:
 *
 * - an item waits in the queue (state 0, `dispatched_at` 0) until the experiment's window
 *   has room: `dispatch` marks up to n of them sent (under the experiment row's lock, so the
 *   window is never overfilled), and the caller sends their messages;
 * - a message's handler `claim`s its item (state 0 -> 1 with a lease); only one claim wins;
 * - the run ends with `complete` (state 2 or 3, the evaluator records written in the same
 *   transaction) or `requeue` (a retry, its message delayed), both only while the lease is
 *   held: a run whose lease expired and was taken over writes nothing;
 * - `expired` finds items whose process died, `stale` items whose message was lost.
 */
import type { Kysely } from "kysely";
import { type Database, onDuplicateKeyUpdate } from "../../../infra/db/mod.ts";
import type { EvaluatorRecordRow, ExperimentTables } from "./_tables.ts";
import { ExptStatus, ItemState } from "./types.ts";

/** An item to run: its key, run and attempts so far. */
export interface ItemKey {
  exptId: bigint;
  itemId: bigint;
  runId: bigint;
}

/** A claimed item. */
export interface ClaimedItem extends ItemKey {
  attempts: number;
  itemIdx: number;
  turnId: bigint;
}

/** The items repo. */
export type ItemsRepo = ReturnType<typeof createItemsRepo>;

/** Creates the repo. */
export function createItemsRepo(db: Database) {
  const q = (): Kysely<ExperimentTables> => db.session<ExperimentTables>();
  const s = (n: bigint) => `${n}`;
  return {
    /** Adds the items of a run (idempotent: items already there are left as they are). */
    async insert(
      expt: { id: bigint; workspaceId: bigint; runId: bigint },
      items: { itemId: bigint; idx: number; turnId: bigint }[],
    ): Promise<void> {
      if (!items.length) return;
      const now = new Date();
      await onDuplicateKeyUpdate(
        q().insertInto("expt_items").values(items.map((it) => ({
          expt_id: s(expt.id),
          item_id: s(it.itemId),
          space_id: s(expt.workspaceId),
          item_idx: it.idx,
          turn_id: s(it.turnId),
          status: ItemState.Queueing,
          run_id: s(expt.runId),
          attempts: 0,
          dispatched_at: 0,
          lease_owner: null,
          lease_until: 0,
          target_output: null,
          error: null,
          started_at: 0,
          ended_at: 0,
          updated_at: now,
        }))),
        { dialect: db.dialect, keys: ["expt_id", "item_id"], update: ["expt_id"] },
      ).execute();
    },

    /** How many items the experiment has. */
    async total(exptId: bigint): Promise<number> {
      const r = await q().selectFrom("expt_items").select((eb) => eb.fn.countAll<number>().as("n"))
        .where("expt_id", "=", s(exptId)).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /**
     * Marks up to `window` minus the items in flight as sent, in set order; answers them.
     * Runs under a lock of the experiment row, so concurrent calls never overfill the window.
     */
    async dispatch(exptId: bigint, window: number, runId: bigint): Promise<ItemKey[]> {
      return await db.transaction(async () => {
        let lock = q().selectFrom("experiments").select("id").where("id", "=", s(exptId));
        if (db.dialect === "mysql") lock = lock.forUpdate();
        await lock.executeTakeFirst();
        const inflight = await q().selectFrom("expt_items")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("expt_id", "=", s(exptId))
          .where((eb) =>
            eb.or([
              eb("status", "=", ItemState.Processing),
              eb.and([eb("status", "=", ItemState.Queueing), eb("dispatched_at", ">", 0)]),
            ])
          ).executeTakeFirst();
        const room = window - Number(inflight?.n ?? 0);
        if (room <= 0) return [];
        const next = await q().selectFrom("expt_items").select("item_id")
          .where("expt_id", "=", s(exptId)).where("status", "=", ItemState.Queueing)
          .where("dispatched_at", "=", 0).where("run_id", "=", s(runId))
          .orderBy("item_idx").limit(room).execute();
        if (!next.length) return [];
        await q().updateTable("expt_items").set({ dispatched_at: Date.now() })
          .where("expt_id", "=", s(exptId)).where("item_id", "in", next.map((r) => r.item_id))
          .where("status", "=", ItemState.Queueing).execute();
        return next.map((r) => ({ exptId, itemId: BigInt(r.item_id), runId }));
      });
    },

    /** Takes an item sent for `runId`; undefined when another handler has it or it ended. */
    async claim(k: ItemKey, owner: string, leaseMs: number): Promise<ClaimedItem | undefined> {
      const now = Date.now();
      const r = await q().updateTable("expt_items").set((eb) => ({
        status: ItemState.Processing,
        lease_owner: owner,
        lease_until: now + leaseMs,
        attempts: eb("attempts", "+", 1),
        started_at: now,
        updated_at: new Date(now),
      }))
        .where("expt_id", "=", s(k.exptId)).where("item_id", "=", s(k.itemId))
        .where("run_id", "=", s(k.runId)).where("status", "=", ItemState.Queueing)
        .where("dispatched_at", ">", 0).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return undefined;
      const row = await q().selectFrom("expt_items").select(["attempts", "item_idx", "turn_id"])
        .where("expt_id", "=", s(k.exptId)).where("item_id", "=", s(k.itemId))
        .executeTakeFirstOrThrow();
      return {
        ...k,
        attempts: Number(row.attempts),
        itemIdx: Number(row.item_idx),
        turnId: BigInt(row.turn_id),
      };
    },

    /**
     * claim(), only while the workspace runs fewer than `limit` items: the count and the claim
     * happen under a lock of the workspace's running experiments, so claims of two processes
     * (or two experiments) never pass the limit together. Answers "full" when it has no room.
     */
    async claimWithin(
      k: ItemKey,
      owner: string,
      leaseMs: number,
      workspace: { id: bigint; limit: number },
    ): Promise<ClaimedItem | "full" | undefined> {
      return await db.transaction(async () => {
        let lock = q().selectFrom("experiments").select("id")
          .where("space_id", "=", s(workspace.id)).where("status", "=", ExptStatus.Processing);
        if (db.dialect === "mysql") lock = lock.forUpdate();
        await lock.execute();
        if (await this.runningInWorkspace(workspace.id) >= workspace.limit) return "full";
        return await this.claim(k, owner, leaseMs);
      });
    },

    /** Extends a lease; false when it is no longer held. */
    async renew(k: ItemKey, owner: string, leaseMs: number): Promise<boolean> {
      const r = await q().updateTable("expt_items").set({ lease_until: Date.now() + leaseMs })
        .where("expt_id", "=", s(k.exptId)).where("item_id", "=", s(k.itemId))
        .where("lease_owner", "=", owner).where("status", "=", ItemState.Processing)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Ends a held item (success, fail or terminal) and writes its evaluator records, in one
     * transaction; false (nothing written) when the lease is no longer held.
     */
    async complete(
      k: ItemKey,
      owner: string,
      o: {
        state: number;
        targetOutput?: unknown;
        error?: { code: number; message: string };
        records: Omit<EvaluatorRecordRow, "created_at" | "updated_at">[];
      },
    ): Promise<boolean> {
      return await db.transaction(async () => {
        const now = new Date();
        const r = await q().updateTable("expt_items").set({
          status: o.state,
          lease_owner: null,
          lease_until: 0,
          ended_at: now.getTime(),
          updated_at: now,
          target_output: o.targetOutput === undefined ? null : JSON.stringify(o.targetOutput),
          error: o.error ? JSON.stringify(o.error) : null,
        })
          .where("expt_id", "=", s(k.exptId)).where("item_id", "=", s(k.itemId))
          .where("run_id", "=", s(k.runId)).where("lease_owner", "=", owner)
          .where("status", "=", ItemState.Processing).executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        if (o.records.length) {
          await onDuplicateKeyUpdate(
            q().insertInto("expt_evaluator_records").values(
              o.records.map((rec) => ({ ...rec, created_at: now, updated_at: now })),
            ),
            {
              dialect: db.dialect,
              keys: ["expt_id", "item_id", "evaluator_version_id"],
              update: [
                "run_id",
                "status",
                "score",
                "reason",
                "corrected_score",
                "correction_explain",
                "corrected_by",
                "error",
                "raw_output",
                "stdout",
                "latency_ms",
                "input_tokens",
                "output_tokens",
                "trace_id",
                "input",
                "updated_at",
              ],
            },
          ).execute();
        }
        return true;
      });
    },

    /**
     * Gives a held item back to the queue, sent again at `dueAt` (a retry after a failure, or
     * a stopping process); false when the lease is no longer held.
     */
    async requeue(
      k: ItemKey,
      owner: string,
      o: { dueAt: number; error?: { code: number; message: string }; refund?: boolean },
    ): Promise<boolean> {
      const r = await q().updateTable("expt_items").set((eb) => ({
        status: ItemState.Queueing,
        lease_owner: null,
        lease_until: 0,
        dispatched_at: o.dueAt,
        updated_at: new Date(),
        ...(o.error ? { error: JSON.stringify(o.error) } : {}),
        ...(o.refund ? { attempts: eb("attempts", "-", 1) } : {}),
      }))
        .where("expt_id", "=", s(k.exptId)).where("item_id", "=", s(k.itemId))
        .where("lease_owner", "=", owner).where("status", "=", ItemState.Processing)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Items in flight whose lease expired (their process died): sent again, as new. */
    async reclaimExpired(exptId: bigint, now = Date.now()): Promise<ItemKey[]> {
      const rows = await q().selectFrom("expt_items").select(["item_id", "run_id"])
        .where("expt_id", "=", s(exptId)).where("status", "=", ItemState.Processing)
        .where("lease_until", "<", now).execute();
      const out: ItemKey[] = [];
      for (const r of rows) {
        const u = await q().updateTable("expt_items").set({
          status: ItemState.Queueing,
          lease_owner: null,
          lease_until: 0,
          dispatched_at: now,
          updated_at: new Date(now),
        })
          .where("expt_id", "=", s(exptId)).where("item_id", "=", r.item_id)
          .where("status", "=", ItemState.Processing).where("lease_until", "<", now)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) === 1) {
          out.push({ exptId, itemId: BigInt(r.item_id), runId: BigInt(r.run_id) });
        }
      }
      return out;
    },

    /**
     * Items sent before `before` and still not taken (a message lost): marked sent now and
     * answered, to send again (so each is re-sent at most once per `before` window).
     */
    async stale(exptId: bigint, before: number): Promise<ItemKey[]> {
      const rows = await q().selectFrom("expt_items").select(["item_id", "run_id"])
        .where("expt_id", "=", s(exptId)).where("status", "=", ItemState.Queueing)
        .where("dispatched_at", ">", 0).where("dispatched_at", "<", before).execute();
      const keys = rows.map((r) => ({
        exptId,
        itemId: BigInt(r.item_id),
        runId: BigInt(r.run_id),
      }));
      for (const k of keys) await this.touch(k, Date.now());
      return keys;
    },

    /** Records that a waiting item's message was sent again, due at `dueAt`. */
    async touch(k: ItemKey, dueAt: number): Promise<void> {
      await q().updateTable("expt_items").set({ dispatched_at: dueAt })
        .where("expt_id", "=", s(k.exptId)).where("item_id", "=", s(k.itemId))
        .where("run_id", "=", s(k.runId)).where("status", "=", ItemState.Queueing)
        .where("dispatched_at", ">", 0).execute();
    },

    /** Ends every waiting item of a terminating experiment as terminal. */
    async terminateWaiting(exptId: bigint): Promise<void> {
      await q().updateTable("expt_items").set({
        status: ItemState.Terminal,
        ended_at: Date.now(),
        updated_at: new Date(),
      }).where("expt_id", "=", s(exptId)).where("status", "=", ItemState.Queueing).execute();
    },

    /** Items still waiting or running. */
    async unfinished(exptId: bigint): Promise<number> {
      const r = await q().selectFrom("expt_items").select((eb) => eb.fn.countAll<number>().as("n"))
        .where("expt_id", "=", s(exptId))
        .where("status", "in", [ItemState.Queueing, ItemState.Processing]).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /** Items running in a workspace under a live lease (the workspace's concurrency). */
    async runningInWorkspace(workspaceId: bigint): Promise<number> {
      const r = await q().selectFrom("expt_items").select((eb) => eb.fn.countAll<number>().as("n"))
        .where("space_id", "=", s(workspaceId)).where("status", "=", ItemState.Processing)
        .where("lease_until", ">=", Date.now()).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /**
     * Puts items back in the queue for a new run: the failed ones, all, or those listed.
     * Answers how many.
     */
    async resetForRetry(
      exptId: bigint,
      runId: bigint,
      o: { states?: number[]; itemIds?: bigint[] },
    ): Promise<number> {
      let u = q().updateTable("expt_items").set({
        status: ItemState.Queueing,
        run_id: s(runId),
        attempts: 0,
        dispatched_at: 0,
        lease_owner: null,
        lease_until: 0,
        error: null,
        started_at: 0,
        ended_at: 0,
        updated_at: new Date(),
      }).where("expt_id", "=", s(exptId))
        .where("status", "not in", [ItemState.Queueing, ItemState.Processing]);
      if (o.states) u = u.where("status", "in", o.states);
      if (o.itemIds) u = u.where("item_id", "in", o.itemIds.map(s));
      const r = await u.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
