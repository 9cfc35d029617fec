// The client suite: one Worker under workerd for every file (test/global-setup.ts), files one at a time
// (they share the emulator's fault queue), with the shared settings (report, source condition).
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
