// The Durable Object limit store without workerd: the real `limitAccountClass` on node:sqlite, one
// in-memory database per object, called through a stub that copies arguments and answers as RPC does.
import { DatabaseSync } from "node:sqlite";
import { type LimitAccountContext, type LimitNamespace, limitAccountClass } from "../src/limits/cloudflare.ts";

type SqlValue = string | number | null;

/** A `DurableObjectNamespace` stand-in: `get` answers the one object of a name, created on first use. */
export interface FakeNamespace extends LimitNamespace<string> {
  /** Every row of every object's tables (account documents, registry, listing marks), as text. */
  dump(): string;
  /** Drops the objects' in-memory instances, as an eviction does: their SQLite storage stays. */
  evict(): void;
  /** Runs SQL on one object's storage, behind its back (to set up what an older version left). */
  exec(name: string, query: string, ...bindings: SqlValue[]): void;
}

export function fakeLimitNamespace(): FakeNamespace {
  const LimitAccount = limitAccountClass(class {});
  const databases = new Map<string, DatabaseSync>();
  const instances = new Map<string, InstanceType<typeof LimitAccount>>();
  const instance = (name: string) => {
    let found = instances.get(name);
    if (!found) {
      const db = databases.get(name) ?? new DatabaseSync(":memory:");
      databases.set(name, db);
      found = new LimitAccount(sqlContext(db), {});
      instances.set(name, found);
    }
    return found;
  };
  return {
    idFromName: (name) => name,
    get: (name) => rpcStub(() => instance(name)),
    dump() {
      const rows: unknown[] = [];
      for (const [name, db] of databases) {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
        for (const { name: table } of tables) rows.push([name, table, db.prepare(`SELECT * FROM ${table}`).all()]);
      }
      return JSON.stringify(rows);
    },
    evict: () => instances.clear(),
    exec(name, query, ...bindings) {
      databases
        .get(name)
        ?.prepare(query)
        .run(...bindings);
    },
  };
}

/** The `ctx` the class reads: `storage.sql.exec` over one node:sqlite database. */
function sqlContext(db: DatabaseSync): LimitAccountContext {
  return {
    storage: {
      sql: {
        exec: (query: string, ...bindings: SqlValue[]) => {
          const rows = db.prepare(query).all(...bindings) as Record<string, unknown>[];
          return { toArray: () => rows };
        },
      },
    },
  };
}

/** Each method call a promise, its arguments and answer structured-cloned, as Workers RPC passes them. */
function rpcStub(target: () => object): object {
  return new Proxy(
    {},
    {
      // Not a thenable: awaiting the stub itself must not call a method named `then`.
      get: (_, method) =>
        method === "then"
          ? undefined
          : async (...args: unknown[]) => {
              const object = target() as Record<PropertyKey, (...a: unknown[]) => unknown>;
              return structuredClone(object[method]!(...structuredClone(args)));
            },
    },
  );
}
