// Bun: the core client against the emulator, and the bun:sqlite CatalogStore.

import { Database } from "bun:sqlite";
import * as core from "@baseten-edge/core";
import { sqliteStore } from "@baseten-edge/gateway/stores/sqlite";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
import { storeContract } from "../shared/store-contract.ts";

const clock = { now: Date.now() };
const store = sqliteStore(new Database(":memory:"), { now: () => clock.now });
for (const line of await clientChecks(
  core,
  checkOptionsFromEnv((name) => Bun.env[name]),
))
  console.log(`ok - ${line}`);
for (const line of await storeContract(store, clock)) console.log(`ok - bun:sqlite store ${line}`);
