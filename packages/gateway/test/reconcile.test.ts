// Reconciliation: the gateway's totals for today and this month against Baseten's usage and billing APIs
// (the emulator's, which answer from the replies it made). In-process gateway, emulator upstream, frozen clock.
import { sha256Hex } from "@baseten-edge/core/internal";
import { describe, expect, it } from "vitest";
import { atomicStore, type LimitsOptions, memoryCells } from "../src/index.ts";
import { durableObjectStore } from "../src/limits/cloudflare.ts";
import { fakeLimitNamespace } from "./durable-objects.ts";
import { harness } from "./helpers.ts";
import { ADMIN, chat, MODEL, STATIC } from "./limits-fixtures.ts";

interface Totals {
  requests: number;
  uncached_input_tokens: number;
  output_tokens: number;
  tokens: number;
  usd: string;
}
interface Drift {
  tokens: number;
  tokens_relative: number | null;
  usd: string;
  usd_relative: number | null;
}
interface Row {
  model: string;
  gateway: Totals | null;
  baseten: Totals;
  drift: Drift | null;
}
interface Period {
  period: string;
  models: Row[];
  total: { gateway: Totals; baseten: Totals; drift: Drift };
  gateway_keys: Totals;
}
interface Reconciliation {
  object: string;
  note: string;
  gateway_totals_from: string;
  day: Period;
  month: Period;
}

async function reconcileHarness(limits: Partial<LimitsOptions> = {}) {
  const h = harness(
    {
      auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [await sha256Hex(STATIC)] },
      limits: { store: atomicStore(memoryCells()), adminTokenHashes: [await sha256Hex(ADMIN)], ...limits },
    },
    {},
  );
  const key = "bek_test_reconcile_0123456789";
  expect(
    (await h.send("PUT", `/v1/admin/keys/${await sha256Hex(key)}`, ADMIN, { name: "team-a", rpm: 100 })).status,
  ).toBe(200);
  return {
    ...h,
    key,
    async through(token: string, body: unknown = chat()): Promise<void> {
      const response = await h.send("POST", "/v1/chat/completions", token, body);
      expect(response.status).toBe(200);
      await response.text();
    },
    /** A call made with the workspace's key straight to Baseten, as a client that bypasses the gateway would. */
    async bypass(): Promise<{ prompt_tokens: number; completion_tokens: number }> {
      const response = await h.emulator.fetch("http://baseten.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body: JSON.stringify(chat({ messages: [{ role: "user", content: "A different, longer question to bill." }] })),
      });
      return ((await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    },
    async reconcile(query = ""): Promise<Response> {
      await h.settle();
      return h.get(`/v1/admin/reconcile${query}`, ADMIN);
    },
  };
}

async function report(response: Response): Promise<Reconciliation> {
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toBe("no-store");
  return (await response.json()) as Reconciliation;
}

describe("GET /v1/admin/reconcile", () => {
  it("shows zero drift, per model and in total, when every call went through the gateway", async () => {
    const h = await reconcileHarness();
    await h.through(h.key);
    await h.through(h.key, chat({ stream: true }));
    await h.through(STATIC, chat({ model: "zai-org/GLM-4.7" }));
    const body = await report(await h.reconcile());
    expect(body.object).toBe("reconciliation");
    expect(body.note).toMatch(/only the traffic that went through this gateway/);
    expect(body.gateway_totals_from).toBe("model_accounts");
    for (const period of [body.day, body.month]) {
      expect(period.models.map((m) => m.model)).toEqual(["zai-org/GLM-4.7", MODEL]);
      for (const row of period.models) {
        expect(row.gateway).toEqual(row.baseten);
        expect(row.drift).toMatchObject({ tokens: 0, tokens_relative: 0, usd: "0", usd_relative: 0 });
      }
      expect(period.total.gateway.requests).toBe(3);
      expect(period.total.gateway.tokens).toBeGreaterThan(0);
      expect(Number(period.total.gateway.usd)).toBeGreaterThan(0);
      expect(period.total.drift).toMatchObject({ tokens: 0, usd: "0" });
      // The key accounts saw the key's two calls, not the static token's.
      expect(period.gateway_keys.requests).toBe(2);
    }
    expect(body.day.period).toBe("2026-11-01");
    expect(body.month.period).toBe("2026-11");
  });

  it("shows a positive drift of exactly the tokens and dollars of a call that bypassed the gateway", async () => {
    const h = await reconcileHarness();
    await h.through(h.key);
    const before = await report(await h.reconcile());
    const usage = await h.bypass();
    const body = await report(await h.reconcile());
    const tokens = usage.prompt_tokens + usage.completion_tokens;
    const usd = (usage.prompt_tokens * 0.1 + usage.completion_tokens * 0.5) / 1e6; // gpt-oss-120b's prices
    for (const period of [body.day, body.month]) {
      const [row] = period.models;
      expect(row?.model).toBe(MODEL);
      expect(row?.gateway).toEqual(before.day.total.gateway);
      expect(row?.drift?.tokens).toBe(tokens);
      expect(Number(row?.drift?.usd)).toBeCloseTo(usd, 12);
      expect(row?.drift?.tokens_relative).toBeCloseTo(tokens / (row?.baseten.tokens ?? 0), 12);
      expect(period.total.drift.tokens).toBe(tokens);
      expect(period.total.baseten.requests - period.total.gateway.requests).toBe(1);
    }
  });

  it("finds the model accounts on the Durable Object store as on the memory store: the same gateway totals", async () => {
    const run = async (store: LimitsOptions["store"]) => {
      const h = await reconcileHarness({ store });
      await h.through(h.key);
      await h.through(h.key, chat({ stream: true }));
      await h.through(STATIC, chat({ model: "zai-org/GLM-4.7" }));
      return report(await h.reconcile());
    };
    const memory = await run(atomicStore(memoryCells()));
    const durable = await run(durableObjectStore(fakeLimitNamespace()));
    expect(durable.gateway_totals_from).toBe("model_accounts");
    for (const period of ["day", "month"] as const) {
      expect(durable[period].total.gateway).toEqual(memory[period].total.gateway);
      expect(durable[period].total.gateway.requests).toBe(3);
      expect(durable[period].models).toEqual(memory[period].models);
      expect(durable[period].total.drift).toMatchObject({ tokens: 0, usd: "0" });
    }
  });

  it("compares the key accounts' totals when model accounts are not kept: a static token's calls show as drift", async () => {
    const h = await reconcileHarness({ modelLimits: false });
    await h.through(h.key);
    const keysOnly = await report(await h.reconcile());
    expect(keysOnly.gateway_totals_from).toBe("key_accounts");
    expect(keysOnly.day.total.drift).toMatchObject({ tokens: 0, usd: "0" });
    expect(keysOnly.day.models).toMatchObject([{ model: MODEL, gateway: null, drift: null }]);
    await h.through(STATIC);
    const body = await report(await h.reconcile());
    expect(body.day.total.drift.tokens).toBe(body.day.total.baseten.tokens - keysOnly.day.total.baseten.tokens);
    expect(body.day.total.drift.tokens).toBeGreaterThan(0);
  });

  it("answers 503 with Baseten's reason when its usage or billing API fails", async () => {
    const h = await reconcileHarness();
    h.emulator.faults.push({ fault: { status: 500 }, times: 2, path: "/v1/billing/model_apis" });
    const failed = await h.reconcile();
    expect(failed.status).toBe(503);
    const { error } = (await failed.json()) as { error: string };
    expect(error).toMatch(/^Cannot reconcile now: Baseten's billing API answered 500/);
    h.upstream.down = true;
    const down = await h.reconcile();
    expect(down.status).toBe(503);
    expect(await down.text()).toMatch(/could not be reached/);
  });

  it("never shows the workspace's key, even when Baseten's error echoes it", async () => {
    const h = await reconcileHarness();
    h.upstream.answer = (request) =>
      new URL(request.url).pathname === "/v1/billing/model_apis"
        ? Response.json({ error: { message: "Key emulator-key is not allowed to read billing" } }, { status: 500 })
        : undefined;
    const failed = await h.reconcile();
    expect(failed.status).toBe(503);
    const text = await failed.text();
    expect(text).toContain("billing API answered 500: Key [key] is not allowed to read billing");
    expect(text).not.toContain("emulator-key");
  });

  it("needs an admin token, and refuses a day the gateway keeps no totals for", async () => {
    const h = await reconcileHarness();
    expect((await h.get("/v1/admin/reconcile", h.key)).status).toBe(401);
    expect((await h.get("/v1/admin/reconcile", STATIC)).status).toBe(401);
    const past = await h.reconcile("?day=2026-10-31");
    expect(past.status).toBe(400);
    expect(await past.json()).toEqual({ error: expect.stringContaining("day=2026-11-01") });
    expect((await h.reconcile("?day=yesterday")).status).toBe(400);
    expect((await h.reconcile("?day=2026-11-01")).status).toBe(200);
  });
});
