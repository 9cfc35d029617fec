// Bun: the core client against the emulator, and the bun:sqlite CatalogStore and LimitStore.

import { Database } from "bun:sqlite";
import * as core from "@baseten-edge/core";
import { sqliteLimitStore } from "@baseten-edge/gateway/limits/sqlite";
import { sqliteStore } from "@baseten-edge/gateway/stores/sqlite";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
import { limitStoreContract } from "../shared/limit-store-contract.ts";
import { storeContract } from "../shared/store-contract.ts";

const clock = { now: Date.now() };
const store = sqliteStore(new Database(":memory:"), { now: () => clock.now });
for (const line of await clientChecks(
  core,
  checkOptionsFromEnv((name) => Bun.env[name]),
))
  console.log(`ok - ${line}`);
for (const line of await storeContract(store, clock)) console.log(`ok - bun:sqlite store ${line}`);

// The LimitStore contract (packages/gateway/test/limit-store-contract.ts, copied beside shared/ by run.ts): two
// connections on one file, each op a BEGIN IMMEDIATE transaction.
const limitsFile = `limits-${Date.now()}.sqlite`;
const [limitsA, limitsB] = [new Database(limitsFile), new Database(limitsFile)];
const limits = {
  store: sqliteLimitStore(limitsA),
  twin: sqliteLimitStore(limitsB),
};
for (const line of await limitStoreContract(limits)) console.log(`ok - bun:sqlite limit store ${line}`);
limitsA.close();
limitsB.close();
