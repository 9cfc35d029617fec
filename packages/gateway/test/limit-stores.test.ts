// Every LimitStore Node can run keeps the contract: memory, node:sqlite (one file, two connections, two processes),
// a real Redis, and the Durable Object store's own class on node:sqlite; and none is ever given a raw key.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { promisify } from "node:util";
import { type RedisServer, startRedis } from "@baseten-edge/harness/redis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durableObjectStore, type LimitNamespace, REGISTRY_OBJECT } from "../src/limits/cloudflare.ts";
import { redisLimitStore } from "../src/limits/redis.ts";
import { sqliteLimitStore } from "../src/limits/sqlite.ts";
import { atomicStore, memoryCells } from "../src/limits/store.ts";
import { fakeLimitNamespace } from "./durable-objects.ts";
import { expectDigestsOnly } from "./limit-secrets.ts";
import { LIMIT_STORE_CHECKS, type LimitStoreUnderTest } from "./limit-store-contract.ts";

/** What the tests use of a node-redis client (its full type does not fit `exactOptionalPropertyTypes`). */
interface Client {
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<unknown>;
}

const checks = LIMIT_STORE_CHECKS.map((check) => [check.name, check] as const);
const DIGESTS_ONLY = "holds digests only after the gateway relayed, answered usage and refused with raw keys";

describe("the memory store", () => {
  const cells = memoryCells();
  const subject: LimitStoreUnderTest = { store: atomicStore(cells) };
  it.each(checks)("%s", (_, check) => check.run(subject));

  it(DIGESTS_ONLY, async () => {
    // Each document read back through the cells themselves (a change that writes what it read).
    const read = (id: string) => cells.update(id, (current) => ({ next: current, result: current }));
    const dump = async () =>
      JSON.stringify(await Promise.all((await cells.list("")).map(async (id) => [id, await read(id)])));
    await expectDigestsOnly(subject.store, dump);
  });
});

describe("the Durable Object store (limitAccountClass on node:sqlite, RPC stubbed), two stores on one namespace", () => {
  const namespace = fakeLimitNamespace();
  const subject: LimitStoreUnderTest = { store: durableObjectStore(namespace), twin: durableObjectStore(namespace) };
  it.each(checks)("%s", (_, check) => check.run(subject));

  it(DIGESTS_ONLY, () => expectDigestsOnly(subject.store, async () => namespace.dump()));

  const now = Date.UTC(2026, 10, 22, 12);
  const charge = { requests: 1, tokens: 1, inputTokens: 1, outputTokens: 0, nano: 1 };
  const admit = (account: string, ticket: string) =>
    ({ op: "admit", now, ticket, model: account, charge, expiresAt: now + 60_000, limits: { rates: [] } }) as const;

  it("lists an account the previous version stored unlisted, on its next op", async () => {
    const account = `model:caller-${crypto.randomUUID()}:m`;
    await subject.store.apply(account, admit(account, "a"));
    // What the previous version left: the document, without a listing mark or a registry entry.
    namespace.exec(account, "DROP TABLE listed");
    namespace.exec("registry:accounts", "DELETE FROM registry WHERE account = ?", account);
    namespace.evict();
    expect(await subject.store.list(account)).toEqual([]);
    const after = await subject.store.apply(account, admit(account, "b"));
    expect(after).toMatchObject({ ok: true, view: { inFlight: 2 } });
    expect(await subject.twin!.list(account)).toEqual([account]);
  });

  it("keeps a key listed when a put races its delete and the delete's registry call arrives last", async () => {
    const digest = "d".repeat(64);
    const account = `key:${digest}`;
    // The same objects; the registry's `record(…, false)` waits until released (a slower network path).
    let held: Promise<void> | undefined;
    const slow: LimitNamespace<string> = {
      idFromName: (name) => namespace.idFromName(name),
      get(id) {
        const stub = namespace.get(id) as Record<string, (...args: unknown[]) => Promise<unknown>>;
        if (id !== REGISTRY_OBJECT) return stub;
        const record = async (name: unknown, present: unknown) => {
          if (present === false) await held;
          return stub.record!(name, present);
        };
        return new Proxy(stub, {
          get: (target, method) => (method === "record" ? record : Reflect.get(target, method)),
        });
      },
    };
    const store = durableObjectStore(slow);
    await store.apply(account, { op: "put-policy", policy: { name: "first", digest } });
    let release = () => {};
    held = new Promise((resolve) => (release = resolve));
    const deleted = store.apply(account, { op: "delete-policy" });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.apply(account, { op: "put-policy", policy: { name: "second", digest, requestsPerMinute: 5 } });
    release();
    await deleted;
    expect(await store.list("key:")).toContain(account);
  });

  it("applies the op of a store from before listing (mid-deployment), and lists the account on a new store's op", async () => {
    const account = `model:caller-${crypto.randomUUID()}:m`;
    const object = namespace.get(namespace.idFromName(account)) as { apply(op: unknown): Promise<unknown> };
    expect(await object.apply(admit(account, "old"))).toMatchObject({ ok: true, view: { inFlight: 1 } });
    expect(await subject.store.list(account)).toEqual([]);
    expect(await subject.store.apply(account, admit(account, "new"))).toMatchObject({
      ok: true,
      view: { inFlight: 2 },
    });
    expect(await subject.store.list(account)).toEqual([account]);
  });
});

describe("the SQLite store (node:sqlite), two connections on one file", () => {
  const dir = mkdtempSync(join(tmpdir(), "limits-sqlite-"));
  const file = join(dir, "limits.sqlite");
  const [first, second] = [new DatabaseSync(file), new DatabaseSync(file)];
  const subject: LimitStoreUnderTest = {
    store: sqliteLimitStore(first),
    twin: sqliteLimitStore(second),
  };
  afterAll(() => {
    first.close();
    second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(checks)("%s", (_, check) => check.run(subject));

  it(DIGESTS_ONLY, () =>
    expectDigestsOnly(subject.store, async () => JSON.stringify(first.prepare("SELECT * FROM limit_accounts").all())),
  );

  it("stays exact when two processes race on one account in one file", async () => {
    const racer = join(import.meta.dirname, "fixtures", "sqlite-limit-racer.ts");
    const shared = join(dir, "raced.sqlite");
    const race = () =>
      promisify(execFile)(process.execPath, [racer, shared, "150"], { timeout: 60_000 }).then((out) =>
        JSON.parse(out.stdout),
      );
    const [a, b] = (await Promise.all([race(), race()])) as { admitted: number; spent: number }[];
    // 300 admissions at one instant against 50 a minute and a cap of 40 requests' worth of spend.
    expect(a!.admitted + b!.admitted).toBe(40);
    const db = new DatabaseSync(shared);
    const doc = JSON.parse((db.prepare("SELECT doc FROM limit_accounts").get() as { doc: string }).doc);
    db.close();
    expect(doc.ledger.day.nano).toBe(a!.spent + b!.spent);
    expect(doc.ledger.day.requests).toBe(40);
  });

  it("refuses a table name that is not a plain SQL name", () => {
    expect(() => sqliteLimitStore(first, { table: "x; DROP TABLE y" })).toThrow(/plain SQL table name/);
  });
});

describe("the Redis store, two clients on one redis-server", () => {
  let server: RedisServer | undefined;
  let clients: Client[] = [];
  const subject = {} as LimitStoreUnderTest;
  let dump: () => Promise<string>;

  beforeAll(async () => {
    server = await startRedis();
    clients = await Promise.all([0, 1].map(() => createClient({ url: server!.url }).connect() as Promise<Client>));
    const [one, two] = clients as [Client, Client];
    subject.store = redisLimitStore(one);
    subject.twin = redisLimitStore(two);
    dump = async () => {
      const keys = (await one.sendCommand(["KEYS", "*"])) as string[];
      const read = async (key: string) =>
        (await one.sendCommand(["TYPE", key])) === "set"
          ? one.sendCommand(["SMEMBERS", key])
          : one.sendCommand(["GET", key]);
      return JSON.stringify([keys, await Promise.all(keys.map(read))]);
    };
  }, 600_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server?.stop();
  });

  it.each(checks)("%s", (_, check) => check.run(subject));

  it(DIGESTS_ONLY, () => expectDigestsOnly(subject.store, dump));

  it("keeps every account under one hash tag, so Redis Cluster can run the script", async () => {
    const keys = (await clients[0]!.sendCommand(["KEYS", "*"])) as string[];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith("{baseten-edge-limits}:")).toBe(true);
  });
});
