// The client suite: one Worker under workerd for every file (test/global-setup.ts), with the shared settings.
import { mergeConfig } from "vitest/config";
import shared, { workerdSuite } from "../../vitest.shared.mts";

export default mergeConfig(shared, workerdSuite);
