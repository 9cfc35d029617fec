// Node: the core client against the emulator, and the node:sqlite CatalogStore.

import { DatabaseSync } from "node:sqlite";
import * as core from "@baseten-edge/core";
import { sqliteStore } from "@baseten-edge/gateway/stores/sqlite";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
import { storeContract } from "../shared/store-contract.ts";

const clock = { now: Date.now() };
const store = sqliteStore(new DatabaseSync(":memory:"), { now: () => clock.now });
for (const line of await clientChecks(
  core,
  checkOptionsFromEnv((name) => process.env[name]),
))
  console.log(`ok - ${line}`);
for (const line of await storeContract(store, clock)) console.log(`ok - node:sqlite store ${line}`);
