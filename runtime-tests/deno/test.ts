// Deno: the core client against the emulator, the Deno KV CatalogStore and the Deno KV LimitStore.
import * as core from "@baseten-edge/core";
import { denoKvLimitStore } from "@baseten-edge/gateway/limits/deno-kv";
import { denoKvStore } from "@baseten-edge/gateway/stores/deno-kv";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
import { limitStoreContract } from "../shared/limit-store-contract.ts";
import { storeContract } from "../shared/store-contract.ts";

const clock = { now: Date.now() };
const kv = await Deno.openKv(":memory:");
for (const line of await clientChecks(
  core,
  checkOptionsFromEnv((name) => Deno.env.get(name)),
))
  console.log(`ok - ${line}`);
for (const line of await storeContract(denoKvStore(kv, { now: () => clock.now }), clock))
  console.log(`ok - Deno KV store ${line}`);
kv.close();

// The LimitStore contract (packages/gateway/test/limit-store-contract.ts, copied beside shared/ by run.ts) on Deno KV:
// two store instances on one database race through its atomic check-and-set.
const limitsKv = await Deno.openKv(":memory:");
const limits = { store: denoKvLimitStore(limitsKv), twin: denoKvLimitStore(limitsKv) };
for (const line of await limitStoreContract(limits)) console.log(`ok - Deno KV limit store ${line}`);
limitsKv.close();
