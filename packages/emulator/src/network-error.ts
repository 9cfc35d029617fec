// The error an emulated network failure raises, branded so the Node server can turn it into a destroyed socket.

const BRAND = Symbol.for("@baseten-edge/emulator/EmulatedNetworkError");

/** A connection reset (before headers) or a body cut off mid-way. A TypeError, as fetch raises for network failures. */
export class EmulatedNetworkError extends TypeError {
  override name = "EmulatedNetworkError";
  readonly kind: "reset" | "cut";
  readonly [BRAND] = true;

  constructor(kind: "reset" | "cut") {
    super(
      kind === "reset" ? "fetch failed: connection reset by the emulator" : "terminated: the emulator cut the body off",
      {
        cause: { code: kind === "reset" ? "ECONNRESET" : "UND_ERR_SOCKET" },
      },
    );
    this.kind = kind;
  }

  /** True for an EmulatedNetworkError from any copy of this package. */
  static isInstance(value: unknown): value is EmulatedNetworkError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
