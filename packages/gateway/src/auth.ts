// Who is calling: the caller's own Baseten key (pass-through) or a gateway token (operator), and
// the opaque id their cache entries and cursors are bound to.
import { base64url, hex, sameText } from "@baseten-edge/core/internal";

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
}

export type Identified = { ok: true; caller: Caller } | { ok: false; status: 401; message: string };

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
  readonly #hmacKey: Promise<CryptoKey>;
  #operatorId: Promise<string> | undefined;

  constructor(auth: AuthOptions, salt: string) {
    this.#auth = auth;
    this.#hmacKey = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(salt),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
  }

  get mode(): AuthOptions["mode"] {
    return this.#auth.mode;
  }

  /** Identifies the caller; `allowPublic` lets anonymous callers through when the catalog is public. */
  async identify(request: Request, allowPublic: boolean): Promise<Identified> {
    const given = credentials(request);
    const auth = this.#auth;
    if (auth.mode === "pass-through") {
      if (!given)
        return unauthorized("Missing or malformed API key: send `Authorization: Bearer <your Baseten API key>`.");
      return {
        ok: true,
        caller: {
          id: await this.sign(`key:${given.key}`),
          authorization: { apiKey: given.key, scheme: given.scheme },
          view: "workspace",
        },
      };
    }
    if (!given) {
      if (allowPublic && auth.publicCatalog) return { ok: true, caller: await this.operatorCaller("public") };
      return unauthorized("Missing gateway token: send `Authorization: Bearer <gateway token>`.");
    }
    if (!(await tokenMatches(given.key, auth.tokenHashes))) return unauthorized("Invalid gateway token.");
    return { ok: true, caller: await this.operatorCaller("workspace") };
  }

  /** The operator's own identity (for cron refreshes); throws in pass-through mode, which has none. */
  async operatorCaller(view: Caller["view"] = "workspace"): Promise<Caller> {
    const auth = this.#auth;
    if (auth.mode !== "operator") throw new Error("operatorCaller needs operator mode");
    this.#operatorId ??= this.sign(`key:${auth.apiKey}`);
    return { id: await this.#operatorId, authorization: { apiKey: auth.apiKey, scheme: "Bearer" }, view };
  }

  /** HMAC-SHA256 with the gateway's secret salt, base64url, 128 bits. */
  async sign(text: string): Promise<string> {
    const mac = await crypto.subtle.sign("HMAC", await this.#hmacKey, new TextEncoder().encode(text));
    return base64url(new Uint8Array(mac).subarray(0, 16));
  }
}

function unauthorized(message: string): Identified {
  return { ok: false, status: 401, message };
}

/** Hashes the token and compares it with every configured digest, in time independent of where they differ. */
async function tokenMatches(token: string, hashes: readonly string[]): Promise<boolean> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  const digestHex = hex(digest);
  let matched = false;
  for (const hash of hashes) matched = sameText(hash, digestHex) || matched; // no early exit
  return matched;
}
