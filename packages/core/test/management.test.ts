import { describe, expect, it } from "vitest";
import {
  ApiError,
  BasetenError,
  createBasetenClient,
  InvalidArgumentError,
  PermissionDeniedError,
} from "../src/index.ts";
import { drain, json, modelApi, recordingFetch } from "./helpers.ts";

/** A paginated catalog of `total` rows served `limit` at a time, with opaque cursors. */
function catalogServer(total: number) {
  const rows = Array.from({ length: total }, (_, i) => modelApi(`model-${String(i).padStart(5, "0")}`));
  return recordingFetch((request) => {
    const url = new URL(request.url);
    const limit = Number(url.searchParams.get("limit") ?? 100);
    const cursor = url.searchParams.get("cursor");
    const start = cursor === null ? 0 : Number(atob(cursor));
    const items = rows.slice(start, start + limit);
    const next = start + limit;
    return json({ items, pagination: { has_more: next < total, cursor: next < total ? btoa(String(next)) : null } });
  });
}

describe("modelApis.list", () => {
  it("yields every row across many pages, one request per page", async () => {
    const server = catalogServer(2_345);
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, baseUrl: "https://api.test" });
    const names: string[] = [];
    for await (const model of client.modelApis.list({ limit: 100 })) names.push(model.name);
    expect(names).toHaveLength(2_345);
    expect(new Set(names).size).toBe(2_345);
    expect(names[2_344]).toBe("model-02344");
    expect(server.requests).toHaveLength(24);
  });

  it("sends no cursor at all on the first page", async () => {
    const server = catalogServer(3);
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    for await (const _ of client.modelApis.list()) break;
    const first = new URL(server.requests[0]!.url);
    expect(first.searchParams.has("cursor")).toBe(false);
    expect(first.origin + first.pathname).toBe("https://api.baseten.co/v1/model_apis");
  });

  it("requests the next page only when the caller reads past the current one", async () => {
    const server = catalogServer(50);
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const iterator = client.modelApis.list({ limit: 10 })[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) await iterator.next();
    expect(server.requests).toHaveLength(1);
    await iterator.next();
    expect(server.requests).toHaveLength(2);
    expect(new URL(server.requests[1]!.url).searchParams.get("cursor")).toBe(btoa("10"));
  });

  it("passes added_only and limit as query parameters", async () => {
    const server = catalogServer(1);
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    await client.modelApis.listPage({ addedOnly: true, limit: 1000 });
    const url = new URL(server.requests[0]!.url);
    expect(url.searchParams.get("added_only")).toBe("true");
    expect(url.searchParams.get("limit")).toBe("1000");
  });

  it("treats an empty cursor as the first page", async () => {
    const server = catalogServer(1);
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    await client.modelApis.listPage({ cursor: "" });
    expect(new URL(server.requests[0]!.url).search).toBe("");
  });

  it.each([0, 1001, 1.5, Number.NaN])("refuses limit %s before any request", async (limit) => {
    const server = catalogServer(1);
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    await expect(client.modelApis.listPage({ limit })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.requests).toHaveLength(0);
  });

  it("stops with an error when the upstream repeats a cursor", async () => {
    const server = recordingFetch(() =>
      json({ items: [modelApi("a")], pagination: { has_more: true, cursor: "same" } }),
    );
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    await expect(drain(client.modelApis.list())).rejects.toThrow(/without a new cursor/);
    expect(server.requests).toHaveLength(2);
  });

  it("stops with an error when cursors come round again (A, B, A), instead of looping forever", async () => {
    const cursors = ["A", "B", "A", "B", "A", "B"];
    // Past the cycle, a 404 ends a client that would otherwise loop.
    const server = recordingFetch((_, i) =>
      i < cursors.length
        ? json({ items: [modelApi(`m${i}`)], pagination: { has_more: true, cursor: cursors[i] } })
        : json({ error: "enough" }, 404),
    );
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const names: string[] = [];
    const error = await drain(client.modelApis.list(), (model) => names.push(model.name)).catch((e: unknown) => e);
    expect(BasetenError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/without a new cursor/);
    expect(server.requests.map((r) => new URL(r.url).searchParams.get("cursor"))).toEqual([null, "A", "B"]);
    expect(names).toEqual(["m0", "m1", "m2"]);
  });

  it.each([{ cursor: "c1" }, { has_more: "false", cursor: "c1" }, { has_more: null }])(
    "refuses a page whose pagination is %j (has_more is required, true or false) with an ApiError",
    async (pagination) => {
      const server = recordingFetch(() => json({ items: [modelApi("a")], pagination }));
      const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
      const error = await drain(client.modelApis.list()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toBe("Baseten answered 200 with an unexpected body.");
    },
  );

  it("stops with an error when has_more is true but no cursor came, rather than truncating", async () => {
    for (const cursor of [null, undefined, ""]) {
      const server = recordingFetch(() => json({ items: [modelApi("a")], pagination: { has_more: true, cursor } }));
      const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
      const error = await drain(client.modelApis.list()).catch((e: unknown) => e);
      expect(BasetenError.isInstance(error), String(cursor)).toBe(true);
      expect((error as Error).message).toMatch(/without a new cursor/);
      expect(server.requests).toHaveLength(1);
    }
  });

  it("ends without an error on the last page, whose cursor is null", async () => {
    const server = recordingFetch(() =>
      json({ items: [modelApi("a")], pagination: { has_more: false, cursor: null } }),
    );
    const names: string[] = [];
    await drain(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.list(), (m) => names.push(m.name));
    expect(names).toEqual(["a"]);
  });
});

describe("modelApis.get", () => {
  it("requests the named Model API and returns its row", async () => {
    const server = recordingFetch(() => json(modelApi("llama-3-3-70b-instruct")));
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const model = await client.modelApis.get("llama-3-3-70b-instruct");
    expect(model.name).toBe("llama-3-3-70b-instruct");
    expect(new URL(server.requests[0]!.url).pathname).toBe("/v1/model_apis/llama-3-3-70b-instruct");
  });

  it.each(["", ".", "..", "a/b", "..%2f", "%2e%2e", "a\\b", "a?b", "a#b", "a\u0000b", "a\nb", "\ud800"])(
    "refuses the name %j before any request",
    async (name) => {
      const server = recordingFetch(() => json(modelApi("x")));
      const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
      await expect(client.modelApis.get(name)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(server.requests).toHaveLength(0);
    },
  );

  it("throws a typed error for an upstream 403", async () => {
    const server = recordingFetch(() => json({ error: "please check the api-key you provided" }, 403));
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const error = await client.modelApis.get("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).message).toBe("403 please check the api-key you provided");
  });
});

describe("authentication", () => {
  it("sends the key as a Bearer token by default", async () => {
    const server = recordingFetch(() => json(modelApi("x")));
    await createBasetenClient({ apiKey: "secret-1", fetch: server.fetch }).modelApis.get("x");
    expect(server.requests[0]!.headers.get("authorization")).toBe("Bearer secret-1");
  });

  it("sends the legacy Api-Key scheme when asked", async () => {
    const server = recordingFetch(() => json(modelApi("x")));
    await createBasetenClient({ apiKey: "secret-1", authScheme: "Api-Key", fetch: server.fetch }).modelApis.get("x");
    expect(server.requests[0]!.headers.get("authorization")).toBe("Api-Key secret-1");
  });

  it("never puts the key in the URL", async () => {
    const server = catalogServer(5);
    const client = createBasetenClient({ apiKey: "secret-key-123", fetch: server.fetch });
    for await (const _ of client.modelApis.list({ limit: 2 })) {
      /* drain */
    }
    expect(server.requests.every((r) => !r.url.includes("secret-key-123"))).toBe(true);
  });

  it.each([undefined, "", "  ", "a\nb", "a b", " k", "k\t", "k\u0000", "kéy", "k\u007f"])(
    "refuses the apiKey %j with a message that says what to do",
    (apiKey) => {
      expect(() => createBasetenClient({ apiKey: apiKey as string })).toThrow(/apiKey is required \(printable ASCII\)/);
    },
  );

  it("accepts a key of visible ASCII, as Baseten's keys are (prefix.secret)", () => {
    expect(() => createBasetenClient({ apiKey: "AbCd1234.eFgH5678iJkL9012mNoP3456" })).not.toThrow();
  });

  it.each(["sk-secret\ntail", "sk-secret\u0000tail", "sk-secret\r\ntail"])(
    "refuses %j with an InvalidArgumentError that does not echo the key",
    (apiKey) => {
      let error: unknown;
      try {
        createBasetenClient({ apiKey });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).not.toMatch(/secret|tail/);
    },
  );
});
