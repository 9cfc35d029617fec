// Which gateway keys exist: a store look-up by digest, remembered for a short while in this isolate.
// Any Bearer string is a candidate key, so a look-up of a never-seen digest is charged to the
// client's budget (lookup-budget.ts): random-token floods cost at most that many store round trips.
import type { KeyCheck } from "../auth.ts";
import { type LookupBudget, LookupLimited } from "../lookup-budget.ts";
import type { GatewayEvent } from "../options.ts";
import type { LimitStore } from "./store.ts";

/** How long this isolate trusts a look-up. Admission always asks the store, so this only spares catalog reads. */
export const KNOWN_KEY_MS = 30_000;
/** An unknown digest is refused locally for this long (a key created since is accepted after it, at most). */
export const UNKNOWN_KEY_MS = 10_000;
/** Digests remembered at once, each way; beyond it the memory starts over. */
const MAX_REMEMBERED = 10_000;

export class KeyDirectory {
  readonly #known = new Map<string, number>();
  readonly #unknown = new Map<string, number>();

  constructor(
    private readonly store: LimitStore,
    private readonly budget: LookupBudget,
    private readonly now: () => number,
    private readonly log: (event: GatewayEvent) => void,
  ) {}

  /** The `KeyCheck` the Authenticator calls for tokens that are not static GATEWAY_TOKENS. */
  readonly check: KeyCheck = async (digest, client) => {
    const at = this.now();
    if ((this.#known.get(digest) ?? 0) > at) return "known";
    if ((this.#unknown.get(digest) ?? 0) > at) return "unknown";
    if (!this.#known.has(digest)) {
      try {
        this.budget.charge(client);
      } catch (thrown) {
        if (thrown instanceof LookupLimited) return { limited: thrown.retryAfterSeconds };
        throw thrown;
      }
    }
    const result = await this.store.apply(`key:${digest}`, { op: "view", now: at }).catch((error: unknown) => {
      this.log({
        event: "limits_store_error",
        op: "key-lookup",
        error: error instanceof Error ? error.name : "unknown",
      });
      return null;
    });
    if (!result) return "unavailable";
    const known = result.policy !== null;
    remember(known ? this.#known : this.#unknown, digest, at + (known ? KNOWN_KEY_MS : UNKNOWN_KEY_MS));
    if (known) this.#unknown.delete(digest);
    return known ? "known" : "unknown";
  };

  /** Forgets what this isolate remembers of a key (its policy was just put or deleted here). */
  forget(digest: string): void {
    this.#known.delete(digest);
    this.#unknown.delete(digest);
  }
}

function remember(map: Map<string, number>, digest: string, until: number): void {
  if (!map.has(digest) && map.size >= MAX_REMEMBERED) map.clear();
  map.set(digest, until);
}
