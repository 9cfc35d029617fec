// The 405 table is derived from the registered routes: no path is written twice.
import { Hono } from "hono";
import { PatternRouter } from "hono/router/pattern-router";
import { describe, expect, it } from "vitest";
import { anthropic } from "../src/relay/protocols.ts";
import { pathPattern, RouteTable } from "../src/routes/table.ts";

describe("pathPattern", () => {
  it("matches a plain path exactly, with its dots and slashes literal", () => {
    expect(pathPattern("/v1/messages/count_tokens").test("/v1/messages/count_tokens")).toBe(true);
    expect(pathPattern("/v1/messages/count_tokens").test("/v1/messages/count_tokens/x")).toBe(false);
    expect(pathPattern("/a.b").test("/axb")).toBe(false);
  });

  it("takes one segment for :name and the custom pattern for :name{...}", () => {
    const name = pathPattern("/v1/model_apis/:name");
    expect(name.test("/v1/model_apis/llama")).toBe(true);
    expect(name.test("/v1/model_apis/a/b")).toBe(false);
    expect(name.test("/v1/model_apis/")).toBe(false);
    const id = pathPattern("/v1/models/:id{[\\s\\S]+}");
    expect(id.test("/v1/models/openai/gpt-oss-120b")).toBe(true);
    expect(id.test("/v1/models/a\nb")).toBe(true);
    expect(id.test("/v1/models/")).toBe(false);
  });
});

describe("RouteTable", () => {
  it("registers on the app and remembers methods and protocol for 405 answers", async () => {
    const routes = new RouteTable(new Hono());
    routes.get("/things/:id", (c) => c.text("thing"));
    routes.post("/v1/messages", (c) => c.text("posted"), anthropic);
    routes.post("/things/:id", (c) => c.text("updated"));
    expect(await (await routes.app.request("/things/7")).text()).toBe("thing");
    expect(routes.allowed("/things/7")).toEqual({ allow: "GET, HEAD, POST", protocol: null });
    expect(routes.allowed("/v1/messages")).toEqual({ allow: "POST", protocol: anthropic });
    expect(routes.allowed("/nothing")).toBeUndefined();
  });
});

describe("RouteTable on Hono's PatternRouter", () => {
  it("answers a route's own path only: one more trailing slash is not found, as the 405 table sees it", async () => {
    const routes = new RouteTable(new Hono({ router: new PatternRouter() }));
    routes.get("/v1/models", (c) => c.text("list"));
    routes.post("/v1/chat/completions", (c) => c.text("relayed"));
    routes.get("/", (c) => c.text("page"));
    expect(await (await routes.app.request("/v1/models")).text()).toBe("list");
    expect((await routes.app.request("/v1/models/")).status).toBe(404);
    expect((await routes.app.request("/v1/chat/completions/", { method: "POST" })).status).toBe(404);
    expect(await (await routes.app.request("/")).text()).toBe("page");
    expect(routes.allowed("/v1/models/")).toBeUndefined();
  });
});
