// Faults on demand: parsing the `x-emulator-fault` header, the per-status error bodies, and the queue of one-shot faults.
import { errorResponse } from "./http.ts";

/** What can go wrong with one request. Every field is optional; several combine. */
export interface FaultSpec {
  /** Wait this long before sending headers. */
  latencyMs?: number;
  /** Wait this long between streamed events. */
  chunkDelayMs?: number;
  /** Stream exactly this many content deltas (no reasoning, no tool calls). */
  chunks?: number;
  /** Bytes of content text in each streamed delta (with `chunks`; default 16). */
  chunkBytes?: number;
  /** Answer with this HTTP error status (400–599) instead of the real answer. */
  status?: number;
  /** Seconds for the Retry-After header (and `retry_after` field) of a 429 or 503; 429 defaults to 1. */
  retryAfter?: number;
  /** Drop the connection before any header: fetch rejects with a TypeError, the Node server destroys the socket. */
  reset?: boolean;
  /** Cut the body off: SSE after this many events, other bodies after this many bytes (no [DONE]). */
  cutAfter?: number;
  /** Cut any body off after this many bytes, a stream too: wherever it falls, also inside an event. */
  cutAfterBytes?: number;
  /** Never send headers; the request stays open until the client aborts it. */
  hang?: boolean;
  /** Trickle the body: wait this long between slices of `slowBodyBytes`. */
  slowBodyMs?: number;
  /** Slice size for `slowBodyMs` (default 64 bytes). */
  slowBodyBytes?: number;
}

/** The request header that asks for a fault, e.g. `x-emulator-fault: status=429; retry-after=3`. */
export const FAULT_HEADER = "x-emulator-fault";

const NUMERIC: Record<string, { key: keyof FaultSpec; min: number; max: number }> = {
  latency: { key: "latencyMs", min: 0, max: 600_000 },
  "chunk-delay": { key: "chunkDelayMs", min: 0, max: 60_000 },
  chunks: { key: "chunks", min: 1, max: 10_000_000 },
  "chunk-bytes": { key: "chunkBytes", min: 1, max: 16 * 1024 * 1024 },
  status: { key: "status", min: 400, max: 599 },
  "retry-after": { key: "retryAfter", min: 0, max: 86_400 },
  "cut-after": { key: "cutAfter", min: 0, max: Number.MAX_SAFE_INTEGER },
  "cut-after-bytes": { key: "cutAfterBytes", min: 0, max: Number.MAX_SAFE_INTEGER },
  "slow-body": { key: "slowBodyMs", min: 0, max: 60_000 },
  "slow-body-bytes": { key: "slowBodyBytes", min: 1, max: 16 * 1024 * 1024 },
};
const FLAGS: Record<string, keyof FaultSpec> = { reset: "reset", hang: "hang" };

/** Thrown for a malformed fault header; the emulator answers it with a 400 naming the problem. */
export class FaultSyntaxError extends Error {
  override name = "FaultSyntaxError";
}

/**
 * Parses `name=value` pairs and bare flags separated by `;` or `,`.
 * @example
 * ```ts
 * import { parseFaults } from "@baseten-edge/emulator";
 * parseFaults("latency=200; chunks=64; chunk-delay=5"); // { latencyMs: 200, chunks: 64, chunkDelayMs: 5 }
 * ```
 */
export function parseFaults(text: string): FaultSpec {
  const spec: Record<string, number | boolean> = {};
  for (const part of text.split(/[;,]/)) {
    const item = part.trim();
    if (item === "") continue;
    const [rawName = "", rawValue] = item.split("=", 2).map((s) => s.trim());
    const name = rawName.toLowerCase();
    const flag = FLAGS[name];
    if (flag) {
      if (rawValue !== undefined) throw new FaultSyntaxError(`fault "${name}" takes no value`);
      spec[flag] = true;
      continue;
    }
    const numeric = NUMERIC[name];
    if (!numeric) {
      const known = [...Object.keys(NUMERIC), ...Object.keys(FLAGS)].join(", ");
      throw new FaultSyntaxError(`unknown fault "${rawName}" (known: ${known})`);
    }
    if (rawValue === undefined || !/^\d+$/.test(rawValue))
      throw new FaultSyntaxError(`fault "${name}" needs a whole number, as ${name}=N`);
    const value = Number(rawValue);
    if (value < numeric.min || value > numeric.max) {
      throw new FaultSyntaxError(`fault "${name}" must be between ${numeric.min} and ${numeric.max}, got ${value}`);
    }
    spec[numeric.key] = value;
  }
  return spec as FaultSpec;
}

/** Later specs win field by field. */
export function mergeFaults(...specs: ReadonlyArray<FaultSpec | undefined>): FaultSpec {
  return Object.assign({}, ...specs.filter(Boolean)) as FaultSpec;
}

const MESSAGES: Record<number, string> = {
  400: "invalid request",
  401: "invalid or missing API key",
  402: "payment required",
  403: "please check the api-key you provided",
  404: "model not found",
  408: "request timeout",
  413: "request body exceeds 100 MB",
  429: "rate limit exceeded",
  500: "internal server error",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout",
};

/** The error answer a `status` fault produces, with Retry-After where Baseten documents one. */
export function faultResponse(spec: FaultSpec & { status: number }): Response {
  const retryAfter = spec.retryAfter ?? (spec.status === 429 ? 1 : undefined);
  const message = MESSAGES[spec.status] ?? (spec.status >= 500 ? "server error" : "request error");
  if (retryAfter === undefined) return errorResponse(spec.status, message);
  return errorResponse(spec.status, message, { retry_after: retryAfter }, { "retry-after": String(retryAfter) });
}

/** A fault queued for the next matching requests (in-process or through `POST /__emulator/faults`). */
export interface QueuedFault {
  fault: FaultSpec;
  /** How many requests it applies to (default 1). */
  times?: number;
  /** Only requests whose path starts with this. */
  path?: string;
}

export class FaultQueue {
  readonly #items: Array<{ fault: FaultSpec; left: number; path: string }> = [];

  push({ fault, times = 1, path = "/" }: QueuedFault): void {
    if (!Number.isInteger(times) || times < 1) throw new TypeError("times must be a whole number >= 1");
    this.#items.push({ fault, left: times, path });
  }

  /** The first queued fault for this path, used up by one. */
  take(path: string): FaultSpec | undefined {
    const index = this.#items.findIndex((item) => path.startsWith(item.path));
    const item = this.#items[index];
    if (!item) return undefined;
    if (--item.left === 0) this.#items.splice(index, 1);
    return item.fault;
  }

  get pending(): number {
    return this.#items.reduce((sum, item) => sum + item.left, 0);
  }

  clear(): void {
    this.#items.length = 0;
  }
}
