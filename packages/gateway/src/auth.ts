// Who is calling: the caller's own Baseten key (pass-through) or a gateway token (operator), and
// the opaque id their cache entries and cursors are bound to.
import { base64url, hex, sameText } from "@baseten-edge/core/internal";
import { hmacSha256, sha256 } from "./hmac.ts";

const utf8 = new TextEncoder();

export type AuthOptions =
  | { mode: "pass-through" }
  | {
      mode: "operator";
      /** The Baseten key the gateway calls upstream with. */
      apiKey: string;
      /** SHA-256 hex digests of the tokens callers present; tokens themselves are never stored. */
      tokenHashes: readonly string[];
      /** Serve the catalog to anonymous callers, without workspace details. */
      publicCatalog?: boolean;
    };

export interface Caller {
  /** HMAC of the upstream key: the only identity that reaches cache keys and cursors. */
  id: string;
  /** The `Authorization` value to send upstream. */
  authorization: { apiKey: string; scheme: "Bearer" | "Api-Key" };
  /** "public": an anonymous caller of a public catalog, shown no workspace details. */
  view: "workspace" | "public";
  /** Operator mode with limits: the SHA-256 hex digest of the gateway key presented (its account is `key:<digest>`). */
  key?: string;
}

export type Identified =
  | { ok: true; caller: Caller }
  | { ok: false; status: 401 | 429 | 503; message: string; retryAfterSeconds?: number };

/**
 * Operator mode with limits: whether a gateway key (by its SHA-256 hex digest) has a stored policy.
 * `{ limited }`: too many never-seen keys from this client or isolate, try again after that many seconds;
 * "unavailable": the store could not be asked (fail closed, 503).
 */
export type KeyCheck = (
  digest: string,
  client: string | undefined,
) => Promise<"known" | "unknown" | "unavailable" | { limited: number }>;

/** Reads credentials from `Authorization: Bearer|Api-Key <key>`, or `x-api-key` (Anthropic SDKs). */
export function credentials(request: Request): { key: string; scheme: "Bearer" | "Api-Key" } | null {
  const header = request.headers.get("authorization");
  if (header) {
    // RFC 9110: the scheme and the credentials are separated by spaces or tabs only (not NBSP &c.).
    const [, scheme, key] = /^(Bearer|Api-Key)[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header) ?? [];
    if (!scheme || !key) return null;
    return { key, scheme: scheme.toLowerCase() === "api-key" ? "Api-Key" : "Bearer" };
  }
  const apiKey = request.headers.get("x-api-key")?.trim();
  // The same alphabet as above: a key is visible ASCII, anything else is not sent upstream.
  return apiKey && /^[\x21-\x7e]+$/.test(apiKey) ? { key: apiKey, scheme: "Bearer" } : null;
}

export class Authenticator {
  readonly #auth: AuthOptions;
  /** Keyed once with the salt; a caller id then costs microseconds, with no WebCrypto round trip. */
  readonly #mac: ReturnType<typeof hmacSha256>;
  #operatorId: string | undefined;

  readonly #keys: KeyCheck | undefined;

  constructor(auth: AuthOptions, salt: string, keys?: KeyCheck) {
    this.#auth = auth;
    this.#keys = keys;
    this.#mac = hmacSha256(utf8.encode(salt));
  }

  get mode(): AuthOptions["mode"] {
    return this.#auth.mode;
  }

  /**
   * Identifies the caller; `allowPublic` lets anonymous callers through when the catalog is public.
   * `client` (the caller's address) is charged when a never-seen gateway key is looked up in the limits store.
   */
  async identify(request: Request, allowPublic: boolean, client?: string): Promise<Identified> {
    const given = credentials(request);
    const auth = this.#auth;
    if (auth.mode === "pass-through") {
      if (!given)
        return unauthorized("Missing or malformed API key: send `Authorization: Bearer <your Baseten API key>`.");
      return {
        ok: true,
        caller: {
          id: this.signNow(`key:${given.key}`),
          authorization: { apiKey: given.key, scheme: given.scheme },
          view: "workspace",
        },
      };
    }
    if (!given) {
      if (allowPublic && auth.publicCatalog) return { ok: true, caller: await this.operatorCaller("public") };
      return unauthorized("Missing gateway token: send `Authorization: Bearer <gateway token>`.");
    }
    const digest = digestOf(given.key);
    if (tokenMatches(digest, auth.tokenHashes)) return { ok: true, caller: await this.operatorCaller("workspace") };
    const known = this.#keys ? await this.#keys(digest, client) : "unknown";
    if (known === "unknown") return unauthorized("Invalid gateway token.");
    if (known === "unavailable") {
      return {
        ok: false,
        status: 503,
        message: "The gateway's key store is unavailable; try again shortly.",
        retryAfterSeconds: 1,
      };
    }
    if (known !== "known") {
      const message = "Too many unknown gateway keys from this client; try again later.";
      return { ok: false, status: 429, message, retryAfterSeconds: known.limited };
    }
    return { ok: true, caller: { ...(await this.operatorCaller("workspace")), key: digest } };
  }

  /** The operator's own identity (for cron refreshes); throws in pass-through mode, which has none. */
  async operatorCaller(view: Caller["view"] = "workspace"): Promise<Caller> {
    const auth = this.#auth;
    if (auth.mode !== "operator") throw new Error("operatorCaller needs operator mode");
    this.#operatorId ??= this.signNow(`key:${auth.apiKey}`);
    return { id: this.#operatorId, authorization: { apiKey: auth.apiKey, scheme: "Bearer" }, view };
  }

  /** HMAC-SHA256 with the gateway's secret salt, base64url, 128 bits (for callers that await a signer). */
  async sign(text: string): Promise<string> {
    return this.signNow(text);
  }

  /** The same HMAC as `sign`, synchronously. */
  signNow(text: string): string {
    return base64url(this.#mac(text, 16));
  }
}

/** A `Retry-After` header for a refused identification that asks to wait, else undefined. */
export function retryAfter(identified: Identified): Headers | undefined {
  if (identified.ok || identified.retryAfterSeconds === undefined) return undefined;
  return new Headers({ "retry-after": String(identified.retryAfterSeconds) });
}

function unauthorized(message: string): Identified {
  return { ok: false, status: 401, message };
}

/** The SHA-256 hex digest of a token: the only form in which a token is ever kept or compared. */
export function digestOf(token: string): string {
  return hex(sha256(utf8.encode(token)));
}

/** Compares a token's digest with every configured digest, in time independent of where they differ. */
function tokenMatches(digestHex: string, hashes: readonly string[]): boolean {
  let matched = false;
  for (const hash of hashes) matched = sameText(hash, digestHex) || matched; // no early exit
  return matched;
}
