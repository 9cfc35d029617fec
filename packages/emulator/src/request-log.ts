// The log of requests the emulator received, for tests and `GET /__emulator/requests`; secrets are redacted, keys only hashed.
import { sha256Hex } from "./random.ts";

export interface RequestRecord {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case header names; `authorization`, `x-api-key` and `cookie` values are redacted. */
  headers: Record<string, string>;
  /** First 16 hex digits of the SHA-256 of the API key (from Authorization, else x-api-key), or null. */
  keyHash: string | null;
  /**
   * The part of the key before its first "." (Baseten's keys are `<prefix>.<secret>`), or null: the
   * prefix the usage and billing APIs attribute requests to. Keys without a "." have none.
   */
  keyPrefix: string | null;
  /** The workspace the key resolved to, or null. */
  workspace: string | null;
  bodyBytes: number;
  /** The `x-emulator-fault` header as received, or null. */
  fault: string | null;
  /** X-Baseten-Request-Id of the answer, for inference requests. */
  requestId: string | null;
  /** Epoch milliseconds. */
  receivedAt: number;
  status: number | null;
  replayed: boolean;
  /**
   * When the body ended cleanly: a streamed body, or one under a `slow-body` or `cut-after` fault, when its
   * last byte went out; any other body when it was built. Null while it is still going and for a body that
   * was cut, cancelled or never sent.
   */
  completedAt: number | null;
  /** When the client went away or aborted before the answer was complete. */
  cancelledAt: number | null;
  /** "reset" (no headers) or "cut" (a body cut off by `cut-after`) when the emulator broke the connection on purpose. */
  networkError: "reset" | "cut" | null;
  /** The inference model that served the request (its id), or null. */
  model: string | null;
  /**
   * The tokens the request is billed, from its reply's plan (a cancelled or cut stream is billed in
   * full: the model generated the reply); null when no reply was made. `GET /v1/model_apis/usage` and
   * `GET /v1/billing/model_apis` answer from these.
   */
  usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number } | null;
}

const REDACTED = new Set(["authorization", "x-api-key", "cookie", "proxy-authorization"]);

export class RequestLog {
  readonly #records: RequestRecord[] = [];
  readonly #limit: number;
  #seq = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async start(request: Request, url: URL, bodyBytes: number, now: number): Promise<RequestRecord> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = REDACTED.has(name) ? redact(name, value) : value;
    });
    const key =
      /^\S+\s+(\S+)/.exec(request.headers.get("authorization") ?? "")?.[1] ?? request.headers.get("x-api-key");
    const record: RequestRecord = {
      seq: ++this.#seq,
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      keyHash: key ? (await sha256Hex(key)).slice(0, 16) : null,
      keyPrefix: key?.includes(".") ? (key.split(".")[0] ?? null) : null,
      workspace: null,
      bodyBytes,
      fault: request.headers.get("x-emulator-fault"),
      requestId: null,
      receivedAt: now,
      status: null,
      replayed: false,
      completedAt: null,
      cancelledAt: null,
      networkError: null,
      model: null,
      usage: null,
    };
    if (this.#limit > 0) {
      this.#records.push(record);
      if (this.#records.length > this.#limit) this.#records.shift();
    }
    return record;
  }

  /** Copies, so callers cannot change the log. */
  list(): RequestRecord[] {
    return this.#records.map((record) => structuredClone(record));
  }

  clear(): void {
    this.#records.length = 0;
  }
}

// Keep the scheme, so tests can still see which auth scheme a client used.
function redact(name: string, value: string): string {
  const scheme = name === "authorization" ? /^(\S+)\s/.exec(value)?.[1] : undefined;
  return scheme ? `${scheme} [redacted]` : "[redacted]";
}
