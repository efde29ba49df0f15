/**
 * The pieces under the SQLite driver: one node:sqlite connection with its statement cache
 * and value conversion (Handle), and the FIFO lock that queues writers (WriterLock).
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type CompiledQuery, InsertQueryNode, type QueryResult } from "kysely";
import { mapSqliteError } from "./_error_mapping.ts";
import { type ColumnDecoder, decoderFor, toSqliteParam } from "./_sqlite_values.ts";

/** A FIFO mutex whose waiters give up after a timeout. */
export class WriterLock {
  #held = false;
  #queue: (() => void)[] = [];

  acquire(timeoutMs: number): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#queue = this.#queue.filter((g) => g !== grant);
        reject(
          new Error(`SQLite writer still busy after ${timeoutMs} ms (transactions queued ahead)`),
        );
      }, timeoutMs);
      this.#queue.push(grant);
    });
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#held = false;
  }
}

interface Prepared {
  stmt: StatementSync;
  names: string[];
  decoders: ColumnDecoder[];
}

const CACHE_SIZE = 256;

/** One node:sqlite connection with a statement cache and value conversion. */
export class Handle {
  readonly db: DatabaseSync;
  readonly #path: string;
  #cache = new Map<string, Prepared>();

  constructor(db: DatabaseSync, path: string) {
    this.db = db;
    this.#path = path;
  }

  #prepare(sql: string, cached = true): Prepared {
    const hit = cached ? this.#cache.get(sql) : undefined;
    if (hit) return hit;
    const stmt = this.db.prepare(sql);
    stmt.setReadBigInts(true); // 64-bit ids must not pass through a double
    const columns = stmt.columns();
    const p = {
      stmt,
      names: columns.map((c) => c.name),
      decoders: columns.map((c) => decoderFor(c.type)),
    };
    if (!cached) return p;
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, p);
    return p;
  }

  /** Forgets prepared statements (their column lists may change after DDL). */
  forget(): void {
    this.#cache.clear();
  }

  #map(err: unknown): unknown {
    return mapSqliteError(err, this.#path, (table, columns) => this.#uniqueIndex(table, columns));
  }

  execute(q: CompiledQuery): QueryResult<unknown> {
    try {
      const p = this.#prepare(q.sql);
      const params = q.parameters.map(toSqliteParam);
      if (p.names.length > 0) {
        return { rows: p.stmt.all(...params).map((r) => row(p, r)) };
      }
      const { changes, lastInsertRowid } = p.stmt.run(...params);
      return {
        numAffectedRows: BigInt(changes),
        insertId: InsertQueryNode.is(q.query) ? BigInt(lastInsertRowid) : undefined,
        rows: [],
      };
    } catch (err) {
      throw this.#map(err);
    }
  }

  *stream(q: CompiledQuery, chunkSize: number): Generator<QueryResult<unknown>> {
    let p: Prepared, it: Iterator<unknown>;
    try {
      // Not from the cache: the same statement run meanwhile would reset this iteration.
      p = this.#prepare(q.sql, false);
      it = p.stmt.iterate(...q.parameters.map(toSqliteParam))[Symbol.iterator]();
    } catch (err) {
      throw this.#map(err);
    }
    try {
      let rows: unknown[] = [];
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = it.next();
        } catch (err) {
          throw this.#map(err);
        }
        if (next.done) break;
        rows.push(row(p, next.value as Record<string, unknown>));
        if (rows.length >= chunkSize) {
          yield { rows };
          rows = [];
        }
      }
      if (rows.length) yield { rows };
    } finally {
      it.return?.(); // resets the statement, ending its read transaction
    }
  }

  #uniqueIndex(table: string, columns: string[]): string | undefined {
    const indexes = this.db.prepare(
      `select name, origin from pragma_index_list(?) where "unique" = 1`,
    ).all(table) as { name: string; origin: string }[];
    const info = this.db.prepare(`select name from pragma_index_info(?) order by seqno`);
    for (const ix of indexes) {
      const cols = (info.all(ix.name) as { name: string }[]).map((c) => c.name);
      if (cols.length === columns.length && cols.every((c, i) => c === columns[i])) {
        return ix.origin === "pk" ? "PRIMARY" : ix.name;
      }
    }
    return undefined;
  }
}

// A plain object (node:sqlite's rows have no prototype), values decoded by declared type.
function row(p: Prepared, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < p.names.length; i++) out[p.names[i]] = p.decoders[i](values[p.names[i]]);
  return out;
}
