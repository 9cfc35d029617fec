// The page suite: two Workers under workerd (a public operator catalog and pass-through) started once
// (test/global-setup.ts), one Chromium per file, with the shared settings.
import { mergeConfig } from "vitest/config";
import shared, { workerdSuite } from "../../vitest.shared.mts";

export default mergeConfig(shared, workerdSuite);
