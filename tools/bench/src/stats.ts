// Statistics and the interleaved-rounds driver every A/B comparison uses.

/** The q-quantile (0..1) of the values, by linear interpolation; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** A figure taken once per round: its median over rounds, and the spread (min..max) of the round values. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

export function summarize(rounds: readonly number[]): Summary {
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds: [...rounds] };
}

/**
 * Runs every variant once per round, after one warm-up pass of each, alternating the order from
 * round to round so drift on a noisy machine lands on both sides. Returns, per variant, what each
 * round measured.
 */
export async function interleave<K extends string, R>(
  rounds: number,
  variants: Record<K, () => Promise<R>>,
  warmUp: Record<K, () => Promise<unknown>> = variants,
): Promise<Record<K, R[]>> {
  const names = Object.keys(variants) as K[];
  for (const name of names) await warmUp[name]();
  const results = Object.fromEntries(names.map((name) => [name, [] as R[]])) as Record<K, R[]>;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) results[name].push(await variants[name]());
  }
  return results;
}

/** Per-round pairs combined (a − b, a / b, …), summarised over rounds. */
export function paired<R>(a: readonly R[], b: readonly R[], combine: (a: R, b: R) => number): Summary {
  return summarize(a.map((value, i) => combine(value, b[i]!)));
}

/** Formats a number with a fixed number of decimals, or "n/a". */
export function fmt(value: number, decimals = 2): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : "n/a";
}

/** "1.23 (1.10–1.40)": a summary with its spread over rounds. */
export function fmtSummary(summary: Summary, decimals = 2, unit = ""): string {
  return `${fmt(summary.median, decimals)}${unit} (${fmt(summary.min, decimals)}…${fmt(summary.max, decimals)})`;
}

/** Milliseconds `work` takes, by the monotonic clock. */
export async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
