// Exact decimal arithmetic on prices: "0.13" stays 0.13, never 0.13000000000000003.

/** An exact decimal number: `units / 10^scale`. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads a price as Baseten sends it: a JSON number or a decimal string ("0.13", "1e-7").
 * A number is read as its shortest round-trip text, which is the literal the upstream wrote.
 * Throws a RangeError for anything that is not a finite decimal, or whose exponent is beyond ±64
 * (prices are small decimals; a huge exponent would cost seconds of bigint arithmetic later).
 */
export function parseDecimal(value: number | string): Decimal {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  const match = DECIMAL.exec(text);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match ?? [];
  if (!match || whole + fraction === "" || Math.abs(Number(exponent)) > 64)
    throw new RangeError(`Not a decimal number (exponent within ±64): ${JSON.stringify(value)}`);
  const units = BigInt(sign + (whole + fraction || "0"));
  return normalize({ units, scale: fraction.length - Number(exponent) });
}

/** The shortest decimal text: "0.13", "-2", "0.0000001". */
export function formatDecimal({ units, scale }: Decimal): string {
  if (scale <= 0) return (units * 10n ** BigInt(-scale)).toString();
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, -scale);
  const fraction = digits.slice(-scale).replace(/0+$/, "");
  return (negative ? "-" : "") + whole + (fraction ? `.${fraction}` : "");
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return normalize({ units: rescale(a, scale) + rescale(b, scale), scale });
}

export function mulDecimal(a: Decimal, b: Decimal): Decimal {
  return normalize({ units: a.units * b.units, scale: a.scale + b.scale });
}

/** Multiplies by 10^power (negative powers divide), exactly. */
export function shiftDecimal(a: Decimal, power: number): Decimal {
  return normalize({ units: a.units, scale: a.scale - power });
}

/** -1, 0 or 1. */
export function compareDecimal(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

function rescale({ units, scale }: Decimal, to: number): bigint {
  return units * 10n ** BigInt(to - scale);
}

/** Drops trailing zeros so equal values have one representation. */
function normalize({ units, scale }: Decimal): Decimal {
  if (units === 0n) return { units, scale: 0 };
  while (units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}
