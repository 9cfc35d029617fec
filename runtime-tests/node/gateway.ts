// Quick example (Node): the gateway on a port, configured from environment variables (see RUNTIMES.md).
import { serve } from "@baseten-edge/gateway/node";

const server = await serve(); // PORT, HOST, CACHE_SALT, CATALOG_STORE, ... from process.env
console.log(`Baseten gateway listening on ${server.url}`);
