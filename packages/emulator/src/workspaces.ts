// API keys → workspaces, each with its own added Model APIs (org_details) and rate-limit overrides.
import type { ModelApiOrgDetails, RateLimit } from "@baseten-edge/core";
import type { Catalog } from "./catalog/catalog.ts";
import { DEFAULT_MODELS } from "./catalog/default-models.ts";
import { sha256Hex } from "./random.ts";

/** The key of the default workspace, served when no `workspaces` option is given. */
export const DEFAULT_API_KEY = "emulator-key";

export interface OrgDetailsOption {
  added_at: string;
  last_used_at?: string | null;
}

export interface WorkspaceOptions {
  /** Shown in the request log; defaults to `workspace-<n>`. */
  id?: string;
  /** API keys that belong to this workspace. */
  keys: readonly string[];
  /** Model APIs this workspace has added, by management name. */
  added?: Readonly<Record<string, OrgDetailsOption>>;
  /** Rate-limit overrides for added Model APIs, by management name. */
  rateLimits?: Readonly<Record<string, readonly RateLimit[]>>;
  /** A string stamped into this workspace's management bodies, to catch answers served to the wrong tenant. */
  marker?: string;
}

export interface Workspace {
  readonly id: string;
  readonly marker: string | undefined;
  /** Mutable: inference calls update `last_used_at`, as Baseten does. */
  readonly added: Map<string, ModelApiOrgDetails>;
  readonly rateLimits: ReadonlyMap<string, readonly RateLimit[]>;
}

export interface WorkspaceDirectory {
  /** The workspace of an API key, or undefined when the key is unknown. */
  resolve(key: string): Promise<Workspace | undefined>;
}

export const DEFAULT_WORKSPACE: WorkspaceOptions = {
  id: "default",
  keys: [DEFAULT_API_KEY],
  added: {
    "deepseek-v4-pro": { added_at: "2026-04-27T09:00:00Z", last_used_at: null },
    "gpt-oss-120b": { added_at: "2025-08-06T12:00:00Z", last_used_at: "2026-05-01T08:30:00Z" },
  },
  rateLimits: {
    "gpt-oss-120b": [
      { type: "REQUEST", unit: "MINUTE", threshold: 120 },
      { type: "TOKEN", unit: "MINUTE", threshold: 1_000_000 },
    ],
  },
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DERIVED_CACHE_LIMIT = 100_000;

export function createWorkspaceDirectory(
  options: readonly WorkspaceOptions[],
  catalog: Catalog,
  acceptAnyKey: boolean,
): WorkspaceDirectory {
  const byKey = new Map<string, Workspace>();
  const ids = new Set<string>();
  options.forEach((option, index) => {
    const workspace = buildWorkspace(option, index, catalog);
    if (ids.has(workspace.id)) throw new TypeError(`workspaces: the id "${workspace.id}" is used twice`);
    ids.add(workspace.id);
    if (option.keys.length === 0) throw new TypeError(`workspaces[${index}]: give at least one API key`);
    for (const key of option.keys) {
      if (typeof key !== "string" || key.trim() === "")
        throw new TypeError(`workspaces[${index}]: keys must be non-empty strings`);
      if (byKey.has(key)) throw new TypeError(`workspaces[${index}]: an API key is listed in two workspaces`);
      byKey.set(key, workspace);
    }
  });

  // Derived workspaces are cached by key hash, never by raw key.
  const derived = new Map<string, Workspace>();
  return {
    async resolve(key) {
      const known = byKey.get(key);
      if (known || !acceptAnyKey || key === "") return known;
      const hash = await sha256Hex(key);
      let workspace = derived.get(hash);
      if (!workspace) {
        if (derived.size >= DERIVED_CACHE_LIMIT) derived.clear();
        workspace = deriveWorkspace(hash);
        derived.set(hash, workspace);
      }
      return workspace;
    },
  };
}

/**
 * The workspace an unknown key gets when `acceptAnyKey` is on: its added models, dates and thresholds all come
 * from the key's SHA-256, and its marker is `ws-<first 12 hex digits>`.
 */
export function deriveWorkspace(keyHash: string): Workspace {
  const n = Number.parseInt(keyHash.slice(0, 8), 16);
  const picks = Number.parseInt(keyHash.slice(8, 11), 16);
  const addedAt = new Date(Date.UTC(2026, 0, 1) + (n % 10_000_000) * 1000).toISOString().replace(".000Z", "Z");
  const limits: RateLimit[] = [
    { type: "REQUEST", unit: "MINUTE", threshold: 100 + (n % 900) },
    { type: "TOKEN", unit: "MINUTE", threshold: 100_000 + (n % 900_000) },
  ];
  const names = DEFAULT_MODELS.map((m) => m.name).filter((_, i) => (picks >> i) & 1);
  if (names.length === 0) names.push(DEFAULT_MODELS[n % DEFAULT_MODELS.length]?.name ?? "gpt-oss-120b");
  return {
    id: `key-${keyHash.slice(0, 12)}`,
    marker: `ws-${keyHash.slice(0, 12)}`,
    added: new Map(names.map((name) => [name, { added_at: addedAt, last_used_at: null }])),
    rateLimits: new Map(names.map((name) => [name, limits])),
  };
}

function buildWorkspace(option: WorkspaceOptions, index: number, catalog: Catalog): Workspace {
  const where = `workspaces[${index}]`;
  const added = new Map<string, ModelApiOrgDetails>();
  for (const [name, details] of Object.entries(option.added ?? {})) {
    if (!catalog.byName.has(name)) throw new TypeError(`${where}.added: "${name}" is not a Model API in the catalog`);
    if (!DATE_TIME.test(details.added_at))
      throw new TypeError(`${where}.added["${name}"].added_at must be an RFC 3339 date-time`);
    const lastUsed = details.last_used_at ?? null;
    if (lastUsed !== null && !DATE_TIME.test(lastUsed)) {
      throw new TypeError(`${where}.added["${name}"].last_used_at must be an RFC 3339 date-time or null`);
    }
    added.set(name, { added_at: details.added_at, last_used_at: lastUsed });
  }
  const rateLimits = new Map<string, readonly RateLimit[]>();
  for (const [name, limits] of Object.entries(option.rateLimits ?? {})) {
    // Baseten only returns overrides for Model APIs the workspace has added.
    if (!added.has(name)) throw new TypeError(`${where}.rateLimits: "${name}" must also be listed in added`);
    for (const limit of limits) validateLimit(limit, `${where}.rateLimits["${name}"]`);
    rateLimits.set(
      name,
      limits.map((limit) => ({ ...limit })),
    );
  }
  return { id: option.id ?? `workspace-${index}`, marker: option.marker, added, rateLimits };
}

// LimitTypeV1 and RateLimitV1.threshold (`minimum: 0`) in openapi/baseten/management.json.
const LIMIT_TYPES: readonly string[] = [
  "REQUEST",
  "TOKEN",
  "CONCURRENT_REQUEST",
  "UNCACHED_INPUT_TOKEN",
  "OUTPUT_TOKEN",
];

function validateLimit(limit: RateLimit, where: string): void {
  if (!LIMIT_TYPES.includes(limit.type)) throw new TypeError(`${where}: type must be one of ${LIMIT_TYPES.join(", ")}`);
  if (limit.unit !== "SECOND" && limit.unit !== "MINUTE")
    throw new TypeError(`${where}: unit must be SECOND or MINUTE`);
  if (!Number.isInteger(limit.threshold) || limit.threshold < 0)
    throw new TypeError(`${where}: threshold must be an integer >= 0`);
}
