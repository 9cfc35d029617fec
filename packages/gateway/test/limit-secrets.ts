// What a limit store is given by the gateway itself: raw gateway, pass-through and admin tokens go in
// at the edge (relay, usage, admin API); only their digests may reach the store.
import { sha256Hex } from "@baseten-edge/core/internal";
import { expect } from "vitest";
import type { LimitStore } from "../src/limits/store.ts";
import { harness } from "./helpers.ts";
import { ADMIN, chat, STATIC } from "./limits-fixtures.ts";

/** The operator's Baseten key in these gateways (the emulator's default key). */
const OPERATOR_KEY = "emulator-key";

/**
 * Puts a key's policy, relays with the raw key (whole and streamed), reads its usage, tries an
 * unknown key, and relays a pass-through key, all through `createGateway` on `store` with the
 * emulator upstream; then `dump` (everything the store holds, as text) must hold the key's digest
 * and the model account, and none of the raw tokens.
 */
export async function expectDigestsOnly(store: LimitStore, dump: () => Promise<string>): Promise<void> {
  const key = `bek_raw_${crypto.randomUUID()}`;
  const unknown = `bek_unknown_${crypto.randomUUID()}`;
  const passThrough = `sk-pass-${crypto.randomUUID()}`;
  const adminTokenHashes = [await sha256Hex(ADMIN)];
  const operator = harness(
    {
      auth: { mode: "operator", apiKey: OPERATOR_KEY, tokenHashes: [await sha256Hex(STATIC)] },
      limits: { store, adminTokenHashes },
    },
    {},
  );
  const digest = await sha256Hex(key);
  expect((await operator.send("PUT", `/v1/admin/keys/${digest}`, ADMIN, { name: "raw", rpm: 100 })).status).toBe(200);
  for (const body of [chat(), chat({ stream: true })]) {
    const response = await operator.send("POST", "/v1/chat/completions", key, body);
    expect(response.status).toBe(200);
    await response.text();
  }
  expect((await operator.get("/v1/usage", key)).status).toBe(200);
  expect((await operator.send("POST", "/v1/chat/completions", unknown, chat())).status).toBe(401);
  const direct = harness({ limits: { store, adminTokenHashes } });
  expect(
    (await (await direct.send("POST", "/v1/chat/completions", passThrough, chat())).text()).length,
  ).toBeGreaterThan(0);
  await Promise.all([operator.settle(), direct.settle()]);
  const stored = await dump();
  expect(stored).toContain(digest);
  expect(stored).toContain("model:");
  for (const token of [key, unknown, passThrough, OPERATOR_KEY, ADMIN, STATIC]) expect(stored).not.toContain(token);
}
