// Limited accounts on Cloudflare: one SQLite-backed Durable Object per account, so every colo counts against one ledger.
import { type AccountOp, type AccountResult, step } from "./account.ts";
import type { LimitStore } from "./store.ts";

export type { LimitStore } from "./store.ts";

/** The part of a Durable Object's `ctx` (DurableObjectState) the class uses: its SQLite storage. */
export interface LimitAccountContext {
  storage: {
    sql: { exec(query: string, ...bindings: (string | number | null)[]): { toArray(): Record<string, unknown>[] } };
  };
}

/** What `durableObjectStore` calls on an account's object (Workers RPC). */
export interface LimitAccountRpc {
  /** Runs the ledger's step on this object's account: synchronous storage, one op at a time. */
  apply(op: AccountOp): AccountResult;
  /** The registry object only: remembers (`present`) or forgets an account name, for `list`. */
  record(account: string, present: boolean): void;
  /** The registry object only: the recorded names starting with `prefix`. */
  list(prefix: string): string[];
}

/** `DurableObject` from "cloudflare:workers" (or any class with its constructor). */
export type DurableObjectBase = abstract new (ctx: never, env: never) => object;

/** The class `limitAccountClass` makes: an instance of `Base` (a Durable Object) with the account's RPC methods. */
export type LimitAccountClass<Base extends DurableObjectBase> = new (
  ctx: LimitAccountContext,
  env: unknown,
) => InstanceType<Base> & LimitAccountRpc;

/**
 * The Durable Object class that keeps one account each, built on the Workers `DurableObject` you
 * pass in: the gateway itself never imports "cloudflare:workers", so it still loads (and type-checks)
 * on Node, Deno and Bun. Export the class from your Worker under the name wrangler.jsonc gives it,
 * with a `new_sqlite_classes` migration.
 *
 * @example
 * ```ts
 * import { limitAccountClass } from "@baseten-edge/gateway/limits/cloudflare";
 * declare const DurableObject: abstract new (ctx: never, env: never) => object; // from "cloudflare:workers"
 * export class LimitAccount extends limitAccountClass(DurableObject) {}
 * ```
 */
export function limitAccountClass<Base extends DurableObjectBase>(base: Base): LimitAccountClass<Base> {
  const Base = base as unknown as new (ctx: LimitAccountContext, env: unknown) => object;
  const LimitAccount = class extends Base implements LimitAccountRpc {
    readonly #sql: LimitAccountContext["storage"]["sql"];

    constructor(ctx: LimitAccountContext, env: unknown) {
      super(ctx, env);
      this.#sql = ctx.storage.sql;
      this.#sql.exec("CREATE TABLE IF NOT EXISTS account (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL)");
    }

    apply(op: AccountOp): AccountResult {
      const row = this.#sql.exec("SELECT doc FROM account WHERE id = 1").toArray()[0];
      const text = typeof row?.doc === "string" ? row.doc : null;
      const { next, result } = step(text, op);
      if (next === null) this.#sql.exec("DELETE FROM account");
      else if (next !== text) this.#sql.exec("INSERT OR REPLACE INTO account (id, doc) VALUES (1, ?)", next);
      return result;
    }

    record(account: string, present: boolean): void {
      this.#sql.exec("CREATE TABLE IF NOT EXISTS registry (account TEXT PRIMARY KEY)");
      if (present) this.#sql.exec("INSERT OR IGNORE INTO registry (account) VALUES (?)", account);
      else this.#sql.exec("DELETE FROM registry WHERE account = ?", account);
    }

    list(prefix: string): string[] {
      this.#sql.exec("CREATE TABLE IF NOT EXISTS registry (account TEXT PRIMARY KEY)");
      return this.#sql
        .exec("SELECT account FROM registry WHERE substr(account, 1, ?) = ? ORDER BY account", prefix.length, prefix)
        .toArray()
        .map((row) => String(row.account));
    }
  };
  return LimitAccount as unknown as LimitAccountClass<Base>;
}

/** The part of a `DurableObjectNamespace` binding the store uses. */
export interface LimitNamespace<Id> {
  idFromName(name: string): Id;
  get(id: Id): object;
}

/** The name of the object that records which accounts have a policy (for `list`). No account is named so. */
export const REGISTRY_OBJECT = "registry:accounts";

/**
 * A LimitStore over a Durable Object namespace: `apply` is one RPC to the account's own object
 * (named by the account, which holds digests only: never a key), where it runs atomically.
 * Accounts given or stripped of a policy are also recorded in one registry object, which `list`
 * asks; model accounts (no policy) are not listed.
 *
 * @example
 * ```ts
 * import { durableObjectStore, type LimitNamespace } from "@baseten-edge/gateway/limits/cloudflare";
 * declare const bindings: { LIMITS: LimitNamespace<unknown> };
 * const store = durableObjectStore(bindings.LIMITS);
 * console.log(await store.list("key:"));
 * ```
 */
export function durableObjectStore<Id>(namespace: LimitNamespace<Id>): LimitStore {
  const object = (name: string) => namespace.get(namespace.idFromName(name)) as unknown as Promised<LimitAccountRpc>;
  const registry = () => object(REGISTRY_OBJECT);
  return {
    async apply(account, op) {
      if (account === REGISTRY_OBJECT) throw new RangeError(`${REGISTRY_OBJECT} is reserved, not an account name.`);
      // Recorded before a policy exists and forgotten after it is gone: a listed name may lack a policy, never the reverse.
      if (op.op === "put-policy") await registry().record(account, true);
      const result = await object(account).apply(op);
      if (op.op === "delete-policy") await registry().record(account, false);
      return result;
    },
    list: (prefix) => registry().list(prefix),
  };
}

/** An RPC stub: each method of the object, answering a Promise. */
type Promised<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };
