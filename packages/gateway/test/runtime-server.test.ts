// The Deno, Bun and Node entry points' shared start-up: CATALOG_STORE and LIMITS_STORE name known stores only.
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/options.ts";
import { runtimeGateway } from "../src/runtime/server.ts";
import { spyStore } from "./helpers.ts";

const ENV = { CACHE_SALT: "a long random secret value" };
const openers = { sqlite: async () => spyStore("sqlite") };

describe("runtimeGateway", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "refuses CATALOG_STORE=%s at start-up with a ConfigurationError naming the choices",
    async (store) => {
      const started = runtimeGateway({ ...ENV, CATALOG_STORE: store }, "Node", openers);
      await expect(started).rejects.toThrow(ConfigurationError);
      await expect(started).rejects.toThrow("CATALOG_STORE must be one of memory, sqlite on Node");
    },
  );

  it.each(["constructor", "toString", "__proto__"])("refuses LIMITS_STORE=%s the same way", async (kind) => {
    const started = runtimeGateway({ ...ENV, LIMITS_STORE: `${kind}:x` }, "Node", openers, {});
    await expect(started).rejects.toThrow(ConfigurationError);
    await expect(started).rejects.toThrow("LIMITS_STORE must be one of memory on Node");
  });

  it("opens a store it offers", async () => {
    const started = await runtimeGateway({ ...ENV, CATALOG_STORE: "sqlite" }, "Node", openers);
    expect(started.store).toBe("sqlite");
    expect((await started.fetch(new Request("http://gateway.test/healthz"))).status).toBe(200);
  });
});
