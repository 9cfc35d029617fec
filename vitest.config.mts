// `./run test:watch`: the tests that run against the packages' sources (see vitest.shared.mts), in one watcher.
// Not here: tests/clients and tests/page, which drive the built Worker bundle (apps/worker/dist) and so would
// test a stale (or, on a fresh clone, missing) bundle; run them through turbo, which builds it first (CONTRIBUTING.md).
// CI runs each package's own config through turbo instead (`./run test`).
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { projects: ["packages/*", "tools/harness", "tools/spec", "apps/worker"] } });
