import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Type-level tests (`*.test-d.ts`) go through the TypeScript compiler, so a type that breaks fails a test.
      typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
      // retries.test.ts collects garbage mid-call: what keeps a call abortable must be held, not only weakly.
      execArgv: ["--expose-gc"],
    },
  }),
);
