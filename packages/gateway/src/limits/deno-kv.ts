// A LimitStore in Deno KV: each op is a read and an atomic check-and-set, retried when another writer got there first.
import { type AtomicCells, atomicStore, type LimitStore } from "./store.ts";

export type { LimitStore } from "./store.ts";

type KvKey = readonly (string | number)[];
interface KvEntry {
  key: KvKey;
  value: unknown;
  versionstamp: string | null;
}

/** The part of `Deno.Kv` this store uses. */
export interface DenoKvLimits {
  getMany(keys: KvKey[]): Promise<KvEntry[]>;
  list(selector: { prefix: KvKey }): AsyncIterable<KvEntry>;
  atomic(): DenoKvAtomic;
}

/** The part of `Deno.AtomicOperation` this store uses. */
export interface DenoKvAtomic {
  check(...checks: { key: KvKey; versionstamp: string | null }[]): DenoKvAtomic;
  set(key: KvKey, value: unknown): DenoKvAtomic;
  delete(key: KvKey): DenoKvAtomic;
  commit(): Promise<{ ok: boolean }>;
}

export interface DenoKvLimitStoreOptions {
  /** First key part of every account (default `baseten-edge-limits`). */
  prefix?: string;
  /** Attempts per op before giving up under contention (default 100). */
  maxAttempts?: number;
}

/** Below Deno KV's 64 KiB value limit; a document with many requests in flight spans several chunks. */
const CHUNK_CHARS = 16_000;
/** A chunk of UTF-16 text is at most 3 bytes a char in UTF-8; account documents are ASCII JSON anyway. */
const MAX_CHUNKS = 9;

/**
 * A LimitStore in Deno KV. An account is a head `[prefix, "head", account] → chunk count` and its
 * document's chunks `[prefix, "doc", account, i]`; every op reads them in one consistent `getMany`
 * and commits only if the head has not changed since (`check` on its versionstamp), so instances on
 * one KV database (Deno Deploy's is global) never lose an update.
 *
 * @example
 * ```ts
 * import { denoKvLimitStore } from "@baseten-edge/gateway/limits/deno-kv";
 * const store = denoKvLimitStore(await Deno.openKv());
 * console.log(await store.list("key:"));
 * ```
 */
export function denoKvLimitStore(kv: DenoKvLimits, options: DenoKvLimitStoreOptions = {}): LimitStore {
  return atomicStore(denoKvCells(kv, options));
}

/** The compare-and-set cells under `denoKvLimitStore`. */
function denoKvCells(kv: DenoKvLimits, options: DenoKvLimitStoreOptions): AtomicCells {
  const { prefix = "baseten-edge-limits", maxAttempts = 100 } = options;
  const head = (id: string): KvKey => [prefix, "head", id];
  const chunk = (id: string, i: number): KvKey => [prefix, "doc", id, i];
  /** The head entry and the whole text, read in one snapshot (a second read only when it spans more chunks). */
  const read = async (id: string): Promise<{ head: KvEntry; text: string | null }> => {
    for (let count = 1; ; ) {
      const [first, ...parts] = await kv.getMany([head(id), ...Array.from({ length: count }, (_, i) => chunk(id, i))]);
      const entry = first ?? { key: head(id), value: null, versionstamp: null };
      const stored = (entry.value ?? null) as number | null;
      if (stored === null) return { head: entry, text: null };
      if (stored <= count)
        return {
          head: entry,
          text: parts
            .slice(0, stored)
            .map((p) => String(p.value))
            .join(""),
        };
      count = stored;
    }
  };
  return {
    async update(id, change) {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const current = await read(id);
        const { next, result } = change(current.text);
        if (next === current.text) return result;
        const before = current.head.value === null ? 0 : (current.head.value as number);
        const parts = next === null ? [] : split(next);
        if (parts.length > MAX_CHUNKS) throw new RangeError(`Account document too large for Deno KV (${id}).`);
        const op = kv.atomic().check({ key: head(id), versionstamp: current.head.versionstamp });
        if (next === null) op.delete(head(id));
        else op.set(head(id), parts.length);
        for (const [i, part] of parts.entries()) op.set(chunk(id, i), part);
        for (let i = parts.length; i < before; i++) op.delete(chunk(id, i));
        if ((await op.commit()).ok) return result;
      }
      throw new Error(`Deno KV: gave up on account ${id} after ${maxAttempts} conflicting attempts.`);
    },
    async list(wanted) {
      const names: string[] = [];
      for await (const entry of kv.list({ prefix: [prefix, "head"] })) {
        const name = entry.key[2];
        if (typeof name === "string" && name.startsWith(wanted)) names.push(name);
      }
      return names;
    },
  };
}

function split(text: string): string[] {
  const parts: string[] = [];
  for (let at = 0; at < text.length; at += CHUNK_CHARS) parts.push(text.slice(at, at + CHUNK_CHARS));
  return parts.length ? parts : [""];
}
