// The limits' HTTP surface: `GET /v1/usage` for a key's holder (or every key, for an admin), and the
// admin API that puts, reads and deletes key policies. Admin tokens are SHA-256 digests (ADMIN_TOKENS).
import { sameText } from "@baseten-edge/core/internal";
import type { Context } from "hono";
import { type Authenticator, credentials, digestOf } from "../auth.ts";
import { error } from "../routes/errors.ts";
import type { Env, RouteTable } from "../routes/table.ts";
import type { KeyPolicy } from "./account.ts";
import type { KeyDirectory } from "./keys.ts";
import type { LimitStore } from "./store.ts";
import { keyUsage, readPolicy } from "./usage.ts";

export interface LimitRouteDeps {
  store: LimitStore;
  auth: Authenticator;
  keys: KeyDirectory;
  adminTokenHashes: readonly string[];
  now: () => number;
}

const KEY_PATH = "/v1/admin/keys/:digest{[0-9a-f]+}";
/** Largest policy body accepted, in bytes. */
const MAX_POLICY_BYTES = 64 * 1024;

export function registerLimitRoutes(routes: RouteTable, deps: LimitRouteDeps): void {
  routes.get("/v1/usage", (c) => usage(c, deps));
  routes.get("/v1/admin/keys", (c) => admin(c, deps, () => allKeys(c, deps)));
  routes.get(KEY_PATH, (c) => admin(c, deps, () => oneKey(c, deps, c.req.param("digest") ?? "")));
  routes.put(KEY_PATH, (c) => admin(c, deps, () => putKey(c, deps, c.req.param("digest") ?? "")));
  routes.delete(KEY_PATH, (c) => admin(c, deps, () => deleteKey(c, deps, c.req.param("digest") ?? "")));
}

/** True when the request carries one of the admin tokens (compared as digests, in constant time). */
export function isAdmin(request: Request, hashes: readonly string[]): boolean {
  const given = credentials(request);
  if (!given || hashes.length === 0) return false;
  const digest = digestOf(given.key);
  let matched = false;
  for (const hash of hashes) matched = sameText(hash, digest) || matched; // no early exit
  return matched;
}

async function admin(c: Context<Env>, deps: LimitRouteDeps, handler: () => Promise<Response>): Promise<Response> {
  if (!isAdmin(c.req.raw, deps.adminTokenHashes))
    return error(c, 401, "This route needs an admin token (ADMIN_TOKENS).");
  const digest = c.req.param("digest");
  if (digest !== undefined && digest.length !== 64) return error(c, 400, "A key is named by its SHA-256 hex digest.");
  return handler();
}

/** A key's own usage; an admin's view over every key. Static GATEWAY_TOKENS have no limits to show. */
async function usage(c: Context<Env>, deps: LimitRouteDeps): Promise<Response> {
  if (isAdmin(c.req.raw, deps.adminTokenHashes)) return allKeys(c, deps);
  const identified = await deps.auth.identify(c.req.raw, false, c.env.clientAddress);
  if (!identified.ok) {
    if (identified.retryAfterSeconds !== undefined) c.header("retry-after", String(identified.retryAfterSeconds));
    return error(c, identified.status, identified.message);
  }
  const digest = identified.caller.key;
  if (!digest) return error(c, 404, "Usage is kept for gateway keys; this token has no limits.");
  const found = await view(deps, digest);
  if (!found) return error(c, 401, "Invalid gateway token.");
  return c.json({ object: "usage", ...keyUsage(found.policy, found.view, false) }, 200, {
    "cache-control": "no-store",
  });
}

async function view(deps: LimitRouteDeps, digest: string) {
  const result = await deps.store.apply(`key:${digest}`, { op: "view", now: deps.now() });
  if (!result.policy || !("view" in result) || !result.view) return null;
  return { policy: result.policy, view: result.view };
}

async function allKeys(c: Context<Env>, deps: LimitRouteDeps): Promise<Response> {
  const accounts = await deps.store.list("key:");
  const found = await Promise.all(accounts.map((account) => view(deps, account.slice("key:".length))));
  const data = found.flatMap((f) => (f ? [keyUsage(f.policy, f.view, true)] : []));
  data.sort((a, b) => a.name.localeCompare(b.name));
  return c.json({ object: "list", data }, 200, { "cache-control": "no-store" });
}

async function oneKey(c: Context<Env>, deps: LimitRouteDeps, digest: string): Promise<Response> {
  const found = await view(deps, digest);
  if (!found) return error(c, 404, "No policy for this key digest.");
  return c.json({ policy: found.policy, usage: keyUsage(found.policy, found.view, true) }, 200, {
    "cache-control": "no-store",
  });
}

/** Puts a policy: the key's very next request is admitted under it (the policy lives in its account). */
async function putKey(c: Context<Env>, deps: LimitRouteDeps, digest: string): Promise<Response> {
  const text = await c.req.text();
  if (text.length > MAX_POLICY_BYTES) return error(c, 413, `The policy is larger than ${MAX_POLICY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return error(c, 400, "The policy must be JSON.");
  }
  const policy = readPolicy(digest, body);
  if (typeof policy === "string") return error(c, 400, policy);
  await deps.store.apply(`key:${digest}`, { op: "put-policy", policy });
  deps.keys.forget(digest);
  return c.json({ policy } satisfies { policy: KeyPolicy }, 200);
}

async function deleteKey(c: Context<Env>, deps: LimitRouteDeps, digest: string): Promise<Response> {
  const found = await view(deps, digest);
  if (!found) return error(c, 404, "No policy for this key digest.");
  await deps.store.apply(`key:${digest}`, { op: "delete-policy" });
  deps.keys.forget(digest);
  return c.json({ deleted: true, name: found.policy.name }, 200);
}
