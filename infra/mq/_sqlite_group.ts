/**
 * Consumer-group membership on the queue file, standing in for Kafka's group coordinator.
 * Each worker is a member with a lease it renews by heartbeat; live members are sorted by
 * id and member i is assigned the partitions p with p % n == i. A partition is processed
 * only by the member whose name is in its `mq_offsets.owner` with an unexpired lease, and
 * every commit checks that ownership, so within a group a message is in one worker's hands
 * at a time, across processes too. A member gives a partition it is no longer assigned
 * back only after the message or batch in hand is committed (no duplicate on rebalance);
 * a member that dies (kill -9) loses its partitions when its lease runs out.
 */
import type { SqliteStore } from "./_sqlite_store.ts";

/** What a member is for. */
export interface MemberOptions {
  group: string;
  topicId: number;
  partitions: number;
  leaseMs: number;
  /** Where a group without a committed offset starts: the oldest retained or the newest. */
  fromBeginning: boolean;
}

interface OffsetRow {
  partition: number;
  committed: number;
  owner: string | null;
  lease_until: number;
}

/** Ownership was lost (lease expired and another member took the partition). */
export class PartitionLostError extends Error {
  override name = "PartitionLostError";
}

/** One member of a consumer group on one topic. */
export class GroupMember {
  readonly id: string = `${Date.now().toString(36)}-${crypto.randomUUID()}`;
  /** Owned partitions and their committed offsets. */
  readonly owned = new Map<number, number>();
  /** Owned partitions assigned to another member, given back once their work is committed. */
  readonly revoked = new Set<number>();
  #renewAt = 0;

  constructor(private readonly store: SqliteStore, private readonly o: MemberOptions) {}

  /**
   * Renews this member and its partitions, takes assigned partitions that are free, gives
   * back idle ones assigned elsewhere. Returns true when it gained partitions.
   */
  heartbeat(busy: ReadonlySet<number>, now = Date.now()): boolean {
    // Writing only when something changes or a third of the lease is gone keeps idle
    // members from writing (and waking the other processes) every second.
    if (now < this.#renewAt && this.#settled(busy, now)) return false;
    this.#renewAt = now + this.o.leaseMs / 3;
    let gained = false;
    this.store.tx(() => {
      const members = this.#liveMembers(now);
      const rows = this.#offsets();
      const index = members.indexOf(this.id);
      for (let p = 0; p < this.o.partitions; p++) {
        const assigned = p % members.length === index;
        if (this.#balance(p, rows.get(p), { assigned, busy: busy.has(p), now })) gained = true;
      }
    });
    return gained;
  }

  // True when a heartbeat would change nothing but lease times (read-only check).
  #settled(busy: ReadonlySet<number>, now: number): boolean {
    const members = this.store.stmt(
      "SELECT member, lease_until FROM mq_members WHERE group_name = ? AND topic_id = ?",
    ).all(this.o.group, this.o.topicId) as { member: string; lease_until: number }[];
    if (members.some((m) => Number(m.lease_until) < now)) return false; // to clean up
    const live = members.map((m) => m.member).sort();
    const index = live.indexOf(this.id);
    if (index < 0) return false;
    const rows = this.#offsets();
    for (let p = 0; p < this.o.partitions; p++) {
      const row = rows.get(p);
      const mine = row?.owner === this.id;
      if (mine !== this.owned.has(p)) return false;
      if (p % live.length === index) {
        if (!row || this.revoked.has(p)) return false;
        if (!mine && (row.owner === null || Number(row.lease_until) < now)) return false;
      } else if (mine && !(busy.has(p) && this.revoked.has(p))) return false;
    }
    return true;
  }

  // Renews this member; the live members, sorted (the same order in every process).
  #liveMembers(now: number): string[] {
    const { group, topicId, leaseMs } = this.o;
    this.store.stmt(
      `INSERT INTO mq_members (group_name, topic_id, member, lease_until) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET lease_until = excluded.lease_until`,
    ).run(group, topicId, this.id, now + leaseMs);
    this.store.stmt(
      "DELETE FROM mq_members WHERE group_name = ? AND topic_id = ? AND lease_until < ?",
    ).run(group, topicId, now);
    return (this.store.stmt(
      "SELECT member FROM mq_members WHERE group_name = ? AND topic_id = ? ORDER BY member",
    ).all(group, topicId) as { member: string }[]).map((r) => r.member);
  }

  #offsets(): Map<number, OffsetRow> {
    const rows = this.store.stmt(
      `SELECT partition, committed, owner, lease_until FROM mq_offsets
       WHERE group_name = ? AND topic_id = ?`,
    ).all(this.o.group, this.o.topicId) as unknown as OffsetRow[];
    return new Map(rows.map((r) => [Number(r.partition), r]));
  }

  // Brings one partition in line with the assignment; true when this member gained it.
  #balance(
    p: number,
    row: OffsetRow | undefined,
    o: { assigned: boolean; busy: boolean; now: number },
  ): boolean {
    const until = o.now + this.o.leaseMs;
    const mine = row?.owner === this.id;
    if (this.owned.has(p) && !mine) this.#drop(p); // taken over after our lease ran out
    if (!o.assigned) {
      if (mine && o.busy) {
        this.#renew(p, until);
        this.revoked.add(p);
      } else if (mine) this.#releaseNow(p);
      return false;
    }
    this.revoked.delete(p);
    if (!row) {
      const start = this.o.fromBeginning ? 0 : this.store.latest(this.o.topicId, p);
      this.store.stmt(
        `INSERT INTO mq_offsets
         (group_name, topic_id, partition, committed, owner, lease_until, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(this.o.group, this.o.topicId, p, start, this.id, until, o.now);
      this.owned.set(p, start);
      return true;
    }
    if (!mine && row.owner !== null && Number(row.lease_until) >= o.now) return false;
    this.#renew(p, until);
    if (this.owned.has(p)) return false;
    this.owned.set(p, Number(row.committed));
    return true;
  }

  /** Records `offset` as processed; throws PartitionLostError when no longer the owner. */
  commit(partition: number, offset: number, now = Date.now()): void {
    if (this.owned.get(partition) === offset) return;
    const r = this.store.tx(() =>
      this.store.stmt(
        `UPDATE mq_offsets SET committed = ?, lease_until = max(lease_until, ?), updated_at = ?
       WHERE group_name = ? AND topic_id = ? AND partition = ? AND owner = ?`,
      ).run(offset, now + this.o.leaseMs, now, this.o.group, this.o.topicId, partition, this.id)
    );
    if (Number(r.changes) === 0) {
      this.#drop(partition);
      throw new PartitionLostError(
        `Partition ${partition} of group "${this.o.group}" was taken over by another member`,
      );
    }
    this.owned.set(partition, offset);
  }

  /** Gives back a partition (after its work is committed) if it was revoked. */
  settle(partition: number): void {
    if (this.revoked.has(partition)) this.store.tx(() => this.#releaseNow(partition));
  }

  /** Leaves the group: gives back every partition at once so others need not wait a lease. */
  leave(): void {
    const { group, topicId } = this.o;
    this.store.tx(() => {
      this.store.stmt(
        `UPDATE mq_offsets SET owner = NULL, lease_until = 0
         WHERE group_name = ? AND topic_id = ? AND owner = ?`,
      ).run(group, topicId, this.id);
      this.store.stmt(
        "DELETE FROM mq_members WHERE group_name = ? AND topic_id = ? AND member = ?",
      ).run(group, topicId, this.id);
    });
    this.owned.clear();
    this.revoked.clear();
  }

  #renew(p: number, until: number): void {
    this.store.stmt(
      `UPDATE mq_offsets SET owner = ?, lease_until = ?
       WHERE group_name = ? AND topic_id = ? AND partition = ?`,
    ).run(this.id, until, this.o.group, this.o.topicId, p);
  }

  #releaseNow(p: number): void {
    this.store.stmt(
      `UPDATE mq_offsets SET owner = NULL, lease_until = 0
       WHERE group_name = ? AND topic_id = ? AND partition = ? AND owner = ?`,
    ).run(this.o.group, this.o.topicId, p, this.id);
    this.#drop(p);
  }

  #drop(p: number): void {
    this.owned.delete(p);
    this.revoked.delete(p);
  }
}
