// Where limited accounts live. Every store applies `step` (account.ts) to one account atomically;
// they differ only in how: in memory, in a SQLite transaction, with Deno KV's or Redis's
// compare-and-set, or inside the account's own Durable Object.
import { type AccountOp, type AccountResult, step } from "./account.ts";

/** The accounts of gateway keys and of models, wherever they are kept. */
export interface LimitStore {
  /** Applies `op` to `account` atomically: no other op on the same account interleaves. */
  apply(account: string, op: AccountOp): Promise<AccountResult>;
  /**
   * The names starting with `prefix` of every stored account: a key's from its policy, a model's from
   * its first admission (never one only refused or viewed), in no set order. The admin API lists keys
   * (`key:`) and reconciliation a caller's models (`model:<caller id>:`) this way, on every store.
   */
  list(prefix: string): Promise<string[]>;
}

/**
 * The one primitive a read-modify-write store needs: change one text document atomically. `change`
 * is pure and may run more than once when another writer got there first.
 */
export interface AtomicCells {
  update<R>(id: string, change: (current: string | null) => { next: string | null; result: R }): Promise<R>;
  list(prefix: string): Promise<string[]>;
}

/**
 * A `LimitStore` over `AtomicCells`. Ops on one account from this process go one at a time, so
 * compare-and-set stores only retry against other processes, not against their own requests.
 */
export function atomicStore(cells: AtomicCells): LimitStore {
  const queues = new Map<string, Promise<unknown>>();
  return {
    apply(account, op) {
      const previous = queues.get(account) ?? Promise.resolve();
      const run = previous.then(
        () => cells.update(account, (current) => step(current, op)),
        () => cells.update(account, (current) => step(current, op)),
      );
      queues.set(account, run);
      // The queue forgets an account once its last op is done, so it never grows with the key count.
      void run.finally(() => queues.get(account) === run && queues.delete(account)).catch(() => {});
      return run;
    },
    list: (prefix) => cells.list(prefix),
  };
}

/** Accounts in this process's memory: exact for one process; the default, and the reference for tests. */
export function memoryCells(): AtomicCells {
  const cells = new Map<string, string>();
  return {
    async update(id, change) {
      const { next, result } = change(cells.get(id) ?? null);
      if (next === null) cells.delete(id);
      else cells.set(id, next);
      return result;
    },
    async list(prefix) {
      return [...cells.keys()].filter((id) => id.startsWith(prefix));
    },
  };
}
