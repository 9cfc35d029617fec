// `./run test:watch`: every package's tests in one watcher, against the packages' sources (see vitest.shared.mts).
// CI runs each package's own config through turbo instead (`./run test`).
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { projects: ["packages/*", "tools/spec", "apps/worker", "tests/clients"] } });
