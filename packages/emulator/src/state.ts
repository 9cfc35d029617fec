// The state one emulator holds, built once by createEmulator and passed to its parts.
import { buildCatalog } from "./catalog/catalog.ts";
import type { FaultSpec } from "./faults.ts";
import { FaultQueue } from "./faults.ts";
import { type Cassette, ReplayIndex } from "./replay.ts";
import { RequestLog, type RequestRecord } from "./request-log.ts";
import type { WorkspaceOptions } from "./workspaces.ts";
import { createWorkspaceDirectory, DEFAULT_WORKSPACE } from "./workspaces.ts";

export interface EmulatorOptions {
  /** Workspaces and their API keys. Omitted: one default workspace with the key `emulator-key`. */
  workspaces?: readonly WorkspaceOptions[];
  /** Give every unknown key its own workspace, derived from the key's SHA-256 (for tenant-isolation tests). */
  acceptAnyKey?: boolean;
  /** Synthetic Model APIs added after the ten real ones (0–1,000,000). */
  models?: number;
  /** Seed for synthetic models, generated text, ids and cursors. */
  seed?: number;
  /** `invoke_url` of every catalog row (default `https://inference.baseten.co`). */
  invokeUrl?: string;
  /** Recorded interactions answered byte for byte before any other handling. */
  cassettes?: readonly Cassette[];
  /** Faults for every request (or chosen per request); the x-emulator-fault header and queued faults override them. */
  faults?: FaultSpec | ((request: Request) => FaultSpec | undefined);
  /** How many requests the log keeps (oldest dropped first); 0 turns the log off. Default 10,000. */
  maxLoggedRequests?: number;
  /** Clock, in epoch milliseconds (default Date.now). */
  now?: () => number;
}

export interface Settings {
  models: number;
  seed: number;
  invokeUrl: string;
  maxLogged: number;
}

/** Everything the parts share; `counter` numbers inference requests (their ids derive from it). */
export interface EmulatorState {
  options: EmulatorOptions;
  settings: Settings;
  catalog: ReturnType<typeof buildCatalog>;
  workspaces: ReturnType<typeof createWorkspaceDirectory>;
  replay: ReplayIndex;
  log: RequestLog;
  queue: FaultQueue;
  now: () => number;
  cursorSecret: string;
  counter: number;
}

/** What one request's handling carries from the fault step to the routes. */
export interface RouteContext {
  record: RequestRecord;
  signal: AbortSignal;
  faults: FaultSpec;
  cancelled: () => void;
  requestId: string;
}

export function createState(options: EmulatorOptions): EmulatorState {
  const settings = validate(options);
  const catalog = buildCatalog({ syntheticCount: settings.models, seed: settings.seed, invokeUrl: settings.invokeUrl });
  return {
    options,
    settings,
    catalog,
    workspaces: createWorkspaceDirectory(
      options.workspaces ?? [DEFAULT_WORKSPACE],
      catalog,
      options.acceptAnyKey ?? false,
    ),
    replay: new ReplayIndex(options.cassettes ?? []),
    log: new RequestLog(settings.maxLogged),
    queue: new FaultQueue(),
    now: options.now ?? Date.now,
    cursorSecret: `cursor-${settings.seed}`,
    counter: 0,
  };
}

function validate(options: EmulatorOptions): Settings {
  const models = options.models ?? 0;
  if (!Number.isInteger(models) || models < 0 || models > 1_000_000)
    throw new TypeError(`models must be a whole number from 0 to 1000000, got ${models}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  const invokeUrl = options.invokeUrl ?? "https://inference.baseten.co";
  if (!URL.canParse(invokeUrl))
    throw new TypeError(`invokeUrl must be an absolute URL, got ${JSON.stringify(invokeUrl)}`);
  const maxLogged = options.maxLoggedRequests ?? 10_000;
  if (!Number.isInteger(maxLogged) || maxLogged < 0)
    throw new TypeError(`maxLoggedRequests must be a whole number >= 0, got ${maxLogged}`);
  return { models, seed, invokeUrl, maxLogged };
}
