// Tests run inside workerd with the bindings of wrangler.jsonc; Baseten is the emulator, reached as the outbound service.
import { createHash } from "node:crypto";
import { createEmulator } from "@baseten-edge/emulator";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";
import { CACHE_SALT, EMULATOR_KEY, GATEWAY_TOKEN } from "./test/constants.ts";

// Every fetch the Worker makes lands here, so no test can reach the real Baseten by accident.
const emulator = createEmulator();

export default mergeConfig(
  shared,
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          // Operator mode, so the Cron Trigger has a catalog of its own to refresh.
          bindings: {
            AUTH_MODE: "operator",
            BASETEN_API_KEY: EMULATOR_KEY,
            GATEWAY_TOKENS: createHash("sha256").update(GATEWAY_TOKEN).digest("hex"),
            CACHE_SALT,
          },
          // Miniflare hands over its own undici Request, which Node's Request cannot copy: rebuild it.
          outboundService: async (request) => {
            const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
            return emulator.fetch(request.url, { method: request.method, headers: [...request.headers], body });
          },
        },
      }),
    ],
  }),
);
