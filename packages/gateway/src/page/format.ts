// How numbers read on the page: token counts as 128K, prices as $0.60, unknowns spelled out.

/** Round sizes, whichever way they are round: 131072 → "128K", 128000 → "128K", 1048576 → "1M". */
const TOKEN_UNITS: readonly [number, string][] = [
  [1_000_000, "M"],
  [1024 * 1024, "M"],
  [1000, "K"],
  [1024, "K"],
];

/** A context length as people quote it: round in decimal or binary units, else to a tenth of a thousand. */
export function formatTokens(count: number): string {
  for (const [size, suffix] of TOKEN_UNITS) if (count >= size && count % size === 0) return `${count / size}${suffix}`;
  return count >= 1000 ? `${trim(count / 1000)}K` : String(count);
}

/** Exact decimal text → "$0.60"; null → "unknown". */
export function formatPrice(price: string | null): string {
  if (price === null) return "unknown";
  const [whole = "0", fraction = ""] = price.split(".");
  return `$${whole}.${fraction.padEnd(2, "0")}`;
}

/** A rate for humans: 1200000 → "1.2M", 600 → "600", null → "–". */
export function formatRate(value: number | null): string {
  if (value === null) return "–";
  if (value >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  if (value >= 1_000) return `${trim(value / 1_000)}K`;
  return String(value);
}

function trim(value: number): string {
  return String(Math.round(value * 10) / 10);
}
