// Every LimitStore Node can run keeps the contract: memory, node:sqlite (one file, two connections, two processes) and a real Redis.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { promisify } from "node:util";
import { type RedisServer, startRedis } from "@baseten-edge/harness/redis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisLimitStore } from "../src/limits/redis.ts";
import { sqliteLimitStore } from "../src/limits/sqlite.ts";
import { atomicStore, memoryCells } from "../src/limits/store.ts";
import { LIMIT_STORE_CHECKS, type LimitStoreUnderTest } from "./limit-store-contract.ts";

/** What the tests use of a node-redis client (its full type does not fit `exactOptionalPropertyTypes`). */
interface Client {
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<unknown>;
}

const checks = LIMIT_STORE_CHECKS.map((check) => [check.name, check] as const);

describe("the memory store", () => {
  const subject: LimitStoreUnderTest = { store: atomicStore(memoryCells()) };
  it.each(checks)("%s", (_, check) => check.run(subject));
});

describe("the SQLite store (node:sqlite), two connections on one file", () => {
  const dir = mkdtempSync(join(tmpdir(), "limits-sqlite-"));
  const file = join(dir, "limits.sqlite");
  const [first, second] = [new DatabaseSync(file), new DatabaseSync(file)];
  const subject: LimitStoreUnderTest = {
    store: sqliteLimitStore(first),
    twin: sqliteLimitStore(second),
    dump: async () => JSON.stringify(first.prepare("SELECT * FROM limit_accounts").all()),
  };
  afterAll(() => {
    first.close();
    second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(checks)("%s", (_, check) => check.run(subject));

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

  beforeAll(async () => {
    server = await startRedis();
    clients = await Promise.all([0, 1].map(() => createClient({ url: server!.url }).connect() as Promise<Client>));
    const [one, two] = clients as [Client, Client];
    subject.store = redisLimitStore(one);
    subject.twin = redisLimitStore(two);
    subject.dump = async () => {
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

  it("keeps every account under one hash tag, so Redis Cluster can run the script", async () => {
    const keys = (await clients[0]!.sendCommand(["KEYS", "*"])) as string[];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith("{baseten-edge-limits}:")).toBe(true);
  });
});
