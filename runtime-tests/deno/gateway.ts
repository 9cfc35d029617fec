// Quick example (Deno): `deno serve` the gateway, configured from environment variables (see RUNTIMES.md).
//   deno serve --allow-net --allow-env --port 8787 gateway.ts
// With CATALOG_STORE=deno-kv add --unstable-kv (and --allow-read/--allow-write for DENO_KV_PATH).
export { default } from "@baseten-edge/gateway/deno";
