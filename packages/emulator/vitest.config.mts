// Vitest settings for the emulator: node environment, generous timeouts for the 100 MB stream and the bin tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    // The JSON report feeds the one-line total that `./run test` prints.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});
