// What every package's vitest config shares: where tests live, the JSON report that `./run test` sums into its
// closing line, and workspace packages resolved to their TypeScript sources (the "@baseten-edge/source" export
// condition), so an edit to core is seen by the gateway's and the emulator's tests without a rebuild.
import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/** The export condition under which each workspace package points at its `src/*.ts` instead of `dist/`. */
export const SOURCE_CONDITION = "@baseten-edge/source";

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});

/**
 * For suites that drive Workers under workerd, started once by `test/global-setup.ts` (tests/clients,
 * tests/page): files run one at a time, since they share the upstream's state (the fault queue).
 */
export const workerdSuite = defineConfig({
  test: {
    environment: "node",
    globalSetup: ["test/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
