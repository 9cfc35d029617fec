// Deno: the core client against the emulator, and the Deno KV CatalogStore.
import * as core from "@baseten-edge/core";
import { denoKvStore } from "@baseten-edge/gateway/stores/deno-kv";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
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
