// The emulator's tests: generous timeouts for the 100 MB stream and the bin tests.
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";

export default mergeConfig(shared, defineConfig({ test: { environment: "node", testTimeout: 30_000 } }));
