// The request log: what was received, with secrets redacted and keys only hashed, in-process and over HTTP.
import { describe, expect, it } from "vitest";
import { createEmulator, type RequestRecord } from "../src/index.ts";
import { CHAT, get, post } from "./helpers.ts";

describe("request log", () => {
  it("records method, path, query, redacted headers, key hash, workspace, size and status", async () => {
    const emulator = createEmulator();
    await get(emulator, "/v1/model_apis?limit=3", { authorization: "Bearer emulator-key", "x-trace": "t1" });
    const [record] = emulator.requests.list();
    expect(record).toMatchObject({
      seq: 1,
      method: "GET",
      path: "/v1/model_apis",
      query: { limit: "3" },
      headers: { authorization: "Bearer [redacted]", "x-trace": "t1" },
      keyHash: expect.stringMatching(/^[0-9a-f]{16}$/),
      workspace: "default",
      bodyBytes: 0,
      status: 200,
      replayed: false,
    });
  });

  it("never stores a raw key, whichever header carried it", async () => {
    const emulator = createEmulator({ acceptAnyKey: true });
    await get(emulator, "/v1/model_apis", { authorization: "Api-Key super-secret-1" });
    await post(
      emulator,
      "/v1/messages",
      { ...CHAT, max_tokens: 5 },
      { "x-api-key": "super-secret-2", cookie: "s=super-secret-3" },
    );
    const text = JSON.stringify(emulator.requests.list());
    expect(text).not.toContain("super-secret");
    expect(emulator.requests.list()[1]?.headers["x-api-key"]).toBe("[redacted]");
  });

  it("gives the same key the same hash and another key another hash", async () => {
    const emulator = createEmulator({ acceptAnyKey: true });
    for (const key of ["a", "a", "b"]) await get(emulator, "/v1/model_apis", { authorization: `Bearer ${key}` });
    const hashes = emulator.requests.list().map((r) => r.keyHash);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).not.toBe(hashes[2]);
  });

  it("records the body size and the X-Baseten-Request-Id of inference answers", async () => {
    const emulator = createEmulator();
    const res = await post(emulator, "/v1/chat/completions", CHAT);
    const [record] = emulator.requests.list();
    expect(record?.bodyBytes).toBe(JSON.stringify(CHAT).length);
    expect(record?.requestId).toBe(res.headers.get("x-baseten-request-id"));
    expect(record?.completedAt).toEqual(expect.any(Number));
  });

  it("lists over GET /__emulator/requests and clears with DELETE", async () => {
    const emulator = createEmulator();
    await get(emulator, "/v1/models");
    const listed = (await (await emulator.fetch("http://x/__emulator/requests")).json()) as {
      requests: RequestRecord[];
    };
    expect(listed.requests.map((r) => r.path)).toEqual(["/v1/models"]);
    expect((await emulator.fetch("http://x/__emulator/requests", { method: "DELETE" })).status).toBe(204);
    expect(emulator.requests.list()).toEqual([]);
  });

  it("keeps only the newest maxLoggedRequests entries", async () => {
    const emulator = createEmulator({ maxLoggedRequests: 2 });
    for (let i = 0; i < 3; i++) await get(emulator, `/v1/models?i=${i}`);
    expect(emulator.requests.list().map((r) => r.query.i)).toEqual(["1", "2"]);
  });

  it("hands out copies, so callers cannot rewrite the log", async () => {
    const emulator = createEmulator();
    await get(emulator, "/v1/models");
    const [record] = emulator.requests.list();
    if (record) record.path = "/changed";
    expect(emulator.requests.list()[0]?.path).toBe("/v1/models");
  });
});

describe("emulator options", () => {
  it.each([
    [{ models: -1 }, "models"],
    [{ models: 1.5 }, "models"],
    [{ seed: 0.5 }, "seed"],
    [{ invokeUrl: "not a url" }, "invokeUrl"],
    [{ maxLoggedRequests: -1 }, "maxLoggedRequests"],
  ])("refuses %o with a message naming the option", (options, name) => {
    expect(() => createEmulator(options)).toThrow(name);
  });

  it("puts a custom invoke_url on every catalog row", async () => {
    const body = (await (
      await get(createEmulator({ invokeUrl: "http://127.0.0.1:8790" }), "/v1/model_apis")
    ).json()) as { items: Array<{ invoke_url: string }> };
    expect(new Set(body.items.map((m) => m.invoke_url))).toEqual(new Set(["http://127.0.0.1:8790"]));
  });
});
