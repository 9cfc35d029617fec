// Exact decimal-string arithmetic for prices: floats would turn 0.00000174 × 10^6 into 1.7399999999999998.

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Moves the decimal point of a non-negative decimal string `places` to the right (exactly). */
export function shiftDecimal(value: string, places: number): string {
  const match = DECIMAL.exec(value);
  if (!match) throw new TypeError(`not a non-negative decimal string: ${JSON.stringify(value)}`);
  const whole = match[1] ?? "0";
  const fraction = (match[2] ?? "").padEnd(places, "0");
  const digits = (whole + fraction.slice(0, places)).replace(/^0+(?=\d)/, "");
  const rest = fraction.slice(places).replace(/0+$/, "");
  return rest ? `${digits}.${rest}` : digits;
}
