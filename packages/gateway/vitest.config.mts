import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The JSON report feeds the one-line total that `./run test` prints.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});
