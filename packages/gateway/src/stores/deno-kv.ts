// A CatalogStore in Deno KV. Values are split into chunks: KV keeps at most 64 KiB per value.
import type { CatalogStore } from "../store.ts";

type KvKey = readonly (string | number)[];

/** The part of `Deno.Kv` this store uses. */
export interface DenoKv {
  get(key: KvKey): Promise<{ value: unknown }>;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: KvKey): Promise<void>;
}

export interface DenoKvStoreOptions {
  /** First key part of every entry (default `baseten-edge-catalog`). */
  prefix?: string;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

/** Below Deno KV's 64 KiB value limit. */
const CHUNK_BYTES = 60_000;

/** What `[prefix, key]` holds; the text is under `[prefix, key, id, 0..chunks-1]`. */
interface Head {
  id: string;
  chunks: number;
  fetchedAt: number;
  hash: string;
  expiresAt: number;
}

/**
 * A CatalogStore in Deno KV. A write puts the chunks first and the head last, so a reader sees a
 * whole entry or none; KV's `expireIn` drops old chunks, and `expiresAt` is checked on every read
 * because KV deletes expired keys only eventually.
 *
 * @example
 * ```ts
 * import { createGateway } from "@baseten-edge/gateway";
 * import { denoKvStore } from "@baseten-edge/gateway/stores/deno-kv";
 * const gateway = createGateway({
 *   auth: { mode: "pass-through" },
 *   cacheSalt: "a long random secret value",
 *   stores: [denoKvStore(await Deno.openKv())],
 * });
 * ```
 */
export function denoKvStore(kv: DenoKv, options: DenoKvStoreOptions = {}): CatalogStore {
  const { prefix = "baseten-edge-catalog", now = Date.now } = options;
  const headKey = (key: string): KvKey => [prefix, key];
  const chunkKey = (key: string, id: string, index: number): KvKey => [prefix, key, id, index];
  const readHead = async (key: string) => ((await kv.get(headKey(key))).value ?? null) as Head | null;
  const dropChunks = (key: string, head: Head) =>
    Promise.all(Array.from({ length: head.chunks }, (_, i) => kv.delete(chunkKey(key, head.id, i))));

  return {
    name: "deno-kv",
    async get(key) {
      const head = await readHead(key);
      if (!head || head.expiresAt <= now()) return null;
      const parts = await Promise.all(Array.from({ length: head.chunks }, (_, i) => kv.get(chunkKey(key, head.id, i))));
      const bytes = parts.map((part) => part.value);
      // A chunk can be gone when a newer write replaced this entry meanwhile: a miss, not an error.
      if (!bytes.every((part) => part instanceof Uint8Array)) return null;
      const whole = new Uint8Array(bytes.reduce((sum, part) => sum + part.length, 0));
      let offset = 0;
      for (const part of bytes) {
        whole.set(part, offset);
        offset += part.length;
      }
      return { value: new TextDecoder().decode(whole), metadata: { fetchedAt: head.fetchedAt, hash: head.hash } };
    },
    async put(key, entry, ttlSeconds) {
      const expireIn = Math.max(1, Math.round(ttlSeconds * 1000));
      const bytes = new TextEncoder().encode(entry.value);
      const head: Head = {
        id: crypto.randomUUID(),
        chunks: Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES)),
        ...entry.metadata,
        expiresAt: now() + expireIn,
      };
      await Promise.all(
        Array.from({ length: head.chunks }, (_, i) =>
          kv.set(chunkKey(key, head.id, i), bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), { expireIn }),
        ),
      );
      const previous = await readHead(key);
      await kv.set(headKey(key), head, { expireIn });
      if (previous) await dropChunks(key, previous);
    },
    async delete(key) {
      const head = await readHead(key);
      await kv.delete(headKey(key));
      if (head) await dropChunks(key, head);
    },
  };
}
