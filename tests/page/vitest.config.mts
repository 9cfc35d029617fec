// The page suite: two Workers under workerd (a public operator catalog and pass-through) started once
// (test/global-setup.ts), one Chromium per file, with the shared settings (report, source condition).
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      environment: "node",
      globalSetup: ["test/global-setup.ts"],
      fileParallelism: false,
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  }),
);
