// Quick example (Bun): the gateway on a port, configured from environment variables (see RUNTIMES.md).
import { serve } from "@baseten-edge/gateway/bun";

const server = await serve(); // PORT, HOST, CACHE_SALT, CATALOG_STORE, ... from Bun.env
console.log(`Baseten gateway listening on ${server.url}`);
