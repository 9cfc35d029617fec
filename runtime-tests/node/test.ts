// Node: the core client against the emulator, and the node:sqlite CatalogStore and LimitStore.

import { DatabaseSync } from "node:sqlite";
import * as core from "@baseten-edge/core";
import { sqliteLimitStore } from "@baseten-edge/gateway/limits/sqlite";
import { sqliteStore } from "@baseten-edge/gateway/stores/sqlite";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
import { limitStoreContract } from "../shared/limit-store-contract.ts";
import { storeContract } from "../shared/store-contract.ts";

const clock = { now: Date.now() };
const store = sqliteStore(new DatabaseSync(":memory:"), { now: () => clock.now });
for (const line of await clientChecks(
  core,
  checkOptionsFromEnv((name) => process.env[name]),
))
  console.log(`ok - ${line}`);
for (const line of await storeContract(store, clock)) console.log(`ok - node:sqlite store ${line}`);

// The LimitStore contract (packages/gateway/test/limit-store-contract.ts, copied beside shared/ by run.ts): two
// connections on one file, each op a BEGIN IMMEDIATE transaction.
const limitsFile = `limits-${Date.now()}.sqlite`;
const [limitsA, limitsB] = [new DatabaseSync(limitsFile), new DatabaseSync(limitsFile)];
const limits = {
  store: sqliteLimitStore(limitsA),
  twin: sqliteLimitStore(limitsB),
};
for (const line of await limitStoreContract(limits)) console.log(`ok - node:sqlite limit store ${line}`);
limitsA.close();
limitsB.close();
