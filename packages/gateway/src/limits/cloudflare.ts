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

/** An object's answer when an op would store its account's first document before the registry has its name. */
export interface Unlisted {
  unlisted: true;
}

/** What `durableObjectStore` calls on an account's object (Workers RPC). */
export interface LimitAccountRpc {
  /**
   * Runs the ledger's step on this object's account: synchronous storage, one op at a time. Until the
   * store says the registry has the account's name (`listed`), an op that would leave a document
   * changes nothing and answers `Unlisted`, so no account is ever stored without being listed.
   * `listed` absent: a store from before accounts were listed (mid-deployment) asks; the op applies.
   */
  apply(op: AccountOp, listed?: boolean): AccountResult | Unlisted;
  /** Whether this object holds a document (after a delete, a put that raced it may have stored one again). */
  stored(): boolean;
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
    /** Whether the registry has this account's name: read once per instance, so an op costs no extra query. */
    #listed: boolean;

    constructor(ctx: LimitAccountContext, env: unknown) {
      super(ctx, env);
      this.#sql = ctx.storage.sql;
      this.#sql.exec("CREATE TABLE IF NOT EXISTS account (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL)");
      this.#sql.exec("CREATE TABLE IF NOT EXISTS listed (id INTEGER PRIMARY KEY CHECK (id = 1))");
      this.#listed = this.#sql.exec("SELECT id FROM listed").toArray().length > 0;
    }

    apply(op: AccountOp, listed?: boolean): AccountResult | Unlisted {
      const row = this.#sql.exec("SELECT doc FROM account WHERE id = 1").toArray()[0];
      const text = typeof row?.doc === "string" ? row.doc : null;
      const { next, result } = step(text, op);
      if (next !== null && !this.#listed && listed !== undefined) {
        // Accounts stored before this mark existed (model accounts were never listed) get listed here too.
        if (!listed) return { unlisted: true };
        this.#sql.exec("INSERT OR IGNORE INTO listed (id) VALUES (1)");
        this.#listed = true;
      }
      if (next === null) {
        this.#sql.exec("DELETE FROM account");
        this.#sql.exec("DELETE FROM listed");
        this.#listed = false;
      } else if (next !== text) this.#sql.exec("INSERT OR REPLACE INTO account (id, doc) VALUES (1, ?)", next);
      return result;
    }

    stored(): boolean {
      return this.#sql.exec("SELECT id FROM account").toArray().length > 0;
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

/** The name of the object that records which accounts are stored (for `list`). No account is named so. */
export const REGISTRY_OBJECT = "registry:accounts";

/**
 * A LimitStore over a Durable Object namespace: `apply` is one RPC to the account's own object
 * (named by the account, which holds digests only: never a key), where it runs atomically. `list`
 * asks one registry object, which records every stored account, key or model, like the other
 * stores' `list`. An account's name is recorded before its first document is written (the object
 * answers `Unlisted` until then: two more RPCs, once per account) and forgotten after its document
 * is deleted, so a listed name may lack a document, never the reverse.
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
      let result = await object(account).apply(op, false);
      if ("unlisted" in result) {
        await registry().record(account, true);
        result = (await object(account).apply(op, true)) as AccountResult;
      }
      if (op.op === "delete-policy") {
        await registry().record(account, false);
        // A put that raced the delete may have stored a document again, and recorded its name before this
        // removal: then the name goes back, so that a stored account is never missing from the registry.
        if (await object(account).stored()) await registry().record(account, true);
      }
      return result;
    },
    list: (prefix) => registry().list(prefix),
  };
}

/** An RPC stub: each method of the object, answering a Promise. */
type Promised<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };
