// Tests run inside workerd with the bindings of wrangler.jsonc; Baseten is the emulator, reached as the outbound service.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createEmulator, parseCassette } from "@baseten-edge/emulator";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";
import { CACHE_SALT, EMULATOR_KEY, GATEWAY_TOKEN, HOSTILE_HOST } from "./test/constants.ts";

// Every fetch the Worker makes lands here, so no test can reach the real Baseten by accident.
const emulator = createEmulator();
// A hostile Baseten (every response header the gateway must not serve), reached as HOSTILE_HOST.
const hostile = createEmulator({
  cassettes: [
    parseCassette(
      readFileSync(new URL("../../packages/gateway/test/fixtures/hostile-headers.yaml", import.meta.url), "utf8"),
      "hostile-headers.yaml",
    ),
  ],
});

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
            const upstream = new URL(request.url).hostname === HOSTILE_HOST ? hostile : emulator;
            return upstream.fetch(request.url, { method: request.method, headers: [...request.headers], body });
          },
        },
      }),
    ],
  }),
);
