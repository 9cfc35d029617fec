// A bound on the upstream look-ups that keys never seen before cost. In pass-through mode any
// Bearer string is a candidate key, and the first use of each costs Baseten calls; without a bound,
// 100 random keys are 100 upstream 401s, from one client. Known keys (an entry in any tier) are never
// charged; a key Baseten refused stays refused locally for a while (the cache's denial list).

/** Thrown by a loader when a first look-up would exceed the budget: answered 429 with `Retry-After`. */
export class LookupLimited extends Error {
  override name = "LookupLimited";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("Too many new API keys from this client; try again later.");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface LookupBudgetOptions {
  /** First look-ups per client address per window (default 30). */
  perClient: number;
  /** First look-ups per isolate (process) per window, all clients together (default 600). */
  perIsolate: number;
  /** Window length in milliseconds (default one minute). */
  windowMs: number;
  now: () => number;
}

/** Addresses tracked at once; beyond it the table starts over (an attacker gains one fresh window). */
const MAX_CLIENTS = 10_000;

/** Fixed-window counters per client address and for the whole isolate. */
export class LookupBudget {
  readonly #options: LookupBudgetOptions;
  readonly #clients = new Map<string, { start: number; used: number }>();
  #isolate = { start: 0, used: 0 };

  constructor(options: LookupBudgetOptions) {
    this.#options = options;
  }

  /** Charges one first look-up to `client` (undefined when the runtime gives no address); throws `LookupLimited` beyond the budget. */
  charge(client: string | undefined): void {
    const { perClient, perIsolate, windowMs, now } = this.#options;
    const at = now();
    if (at - this.#isolate.start >= windowMs) this.#isolate = { start: at, used: 0 };
    let counter: { start: number; used: number } | undefined;
    if (client !== undefined) {
      counter = this.#clients.get(client);
      if (!counter || at - counter.start >= windowMs) {
        if (!counter && this.#clients.size >= MAX_CLIENTS) this.#clients.clear();
        counter = { start: at, used: 0 };
        this.#clients.set(client, counter);
      }
      if (counter.used >= perClient) throw this.#limited(counter.start, at);
    }
    if (this.#isolate.used >= perIsolate) throw this.#limited(this.#isolate.start, at);
    if (counter) counter.used++;
    this.#isolate.used++;
  }

  #limited(start: number, at: number): LookupLimited {
    return new LookupLimited(Math.max(1, Math.ceil((start + this.#options.windowMs - at) / 1000)));
  }
}
