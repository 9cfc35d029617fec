// Workspaces: the same URL answers each key with its own org_details, rate limits and marker; bad options fail clearly.

import type { ModelApi, ModelApisPage } from "@baseten-edge/core";
import { describe, expect, it } from "vitest";
import { createEmulator, type WorkspaceOptions } from "../src/index.ts";
import { bearer, CHAT, get, post } from "./helpers.ts";

const TEAMS: WorkspaceOptions[] = [
  {
    id: "team-a",
    keys: ["key-a1", "key-a2"],
    added: { "glm-5": { added_at: "2026-02-01T10:00:00Z", last_used_at: null } },
    rateLimits: { "glm-5": [{ type: "TOKEN", unit: "SECOND", threshold: 4242 }] },
    marker: "TEAM-A",
  },
  { id: "team-b", keys: ["key-b"], added: { "kimi-k2-6": { added_at: "2026-03-01T10:00:00Z" } } },
];

async function row(key: string, name: string, emulator = createEmulator({ workspaces: TEAMS })): Promise<ModelApi> {
  return (await (await get(emulator, `/v1/model_apis/${name}`, bearer(key))).json()) as ModelApi;
}

describe("workspaces", () => {
  it("answers the same URL with different org_details to keys of different workspaces", async () => {
    const emulator = createEmulator({ workspaces: TEAMS });
    const a = await row("key-a1", "glm-5", emulator);
    const b = await row("key-b", "glm-5", emulator);
    expect(a.org_details).toEqual({ added_at: "2026-02-01T10:00:00Z", last_used_at: null });
    expect(b.org_details).toBeNull();
  });

  it("answers two keys of one workspace identically", async () => {
    const emulator = createEmulator({ workspaces: TEAMS });
    expect(await row("key-a1", "glm-5", emulator)).toEqual(await row("key-a2", "glm-5", emulator));
  });

  it("returns a workspace's rate-limit overrides only to that workspace", async () => {
    const emulator = createEmulator({ workspaces: TEAMS });
    expect((await row("key-a1", "glm-5", emulator)).rate_limits).toEqual([
      { type: "TOKEN", unit: "SECOND", threshold: 4242 },
    ]);
    expect((await row("key-b", "glm-5", emulator)).rate_limits).toEqual([
      { type: "REQUEST", unit: "MINUTE", threshold: 15 },
      { type: "TOKEN", unit: "MINUTE", threshold: 100_000 },
    ]);
  });

  it("stamps a workspace's marker into its descriptions and nowhere else", async () => {
    const emulator = createEmulator({ workspaces: TEAMS });
    const a = await (await get(emulator, "/v1/model_apis", bearer("key-a1"))).text();
    const b = await (await get(emulator, "/v1/model_apis", bearer("key-b"))).text();
    expect(a).toContain("[workspace TEAM-A]");
    expect(b).not.toContain("TEAM-A");
  });

  it("replaces the default workspace when workspaces are given", async () => {
    const res = await get(createEmulator({ workspaces: TEAMS }), "/v1/model_apis", bearer("emulator-key"));
    expect(res.status).toBe(401);
  });

  it("records the time of the last inference call in org_details.last_used_at", async () => {
    let clock = Date.parse("2026-06-01T12:34:56Z");
    const emulator = createEmulator({ workspaces: TEAMS, now: () => clock });
    await post(emulator, "/v1/chat/completions", { ...CHAT, model: "zai-org/GLM-5" }, bearer("key-a1"));
    clock += 1000;
    expect((await row("key-a2", "glm-5", emulator)).org_details?.last_used_at).toBe("2026-06-01T12:34:56Z");
    expect((await row("key-b", "glm-5", emulator)).org_details).toBeNull();
  });

  it.each<[string, WorkspaceOptions[], string]>([
    [
      "an unknown model",
      [{ keys: ["k"], added: { "no-such": { added_at: "2026-01-01T00:00:00Z" } } }],
      "not a Model API",
    ],
    ["a bad date", [{ keys: ["k"], added: { "glm-5": { added_at: "yesterday" } } }], "RFC 3339"],
    [
      "limits for a model not added",
      [{ keys: ["k"], rateLimits: { "glm-5": [{ type: "REQUEST", unit: "MINUTE", threshold: 5 }] } }],
      "added",
    ],
    [
      "a negative threshold",
      [
        {
          keys: ["k"],
          added: { "glm-5": { added_at: "2026-01-01T00:00:00Z" } },
          rateLimits: { "glm-5": [{ type: "REQUEST", unit: "MINUTE", threshold: -1 }] },
        },
      ],
      "threshold",
    ],
    ["a key in two workspaces", [{ keys: ["k"] }, { keys: ["k"] }], "two workspaces"],
    ["no keys", [{ keys: [] }], "at least one API key"],
  ])("refuses workspace options with %s, saying why", (_, workspaces, message) => {
    expect(() => createEmulator({ workspaces })).toThrow(message);
  });
});

describe("acceptAnyKey", () => {
  it("gives each unknown key its own deterministic workspace with a marker from the key's hash", async () => {
    const emulator = createEmulator({ acceptAnyKey: true });
    const first = await (await get(emulator, "/v1/model_apis", bearer("tenant-1"))).text();
    const again = await (
      await get(createEmulator({ acceptAnyKey: true }), "/v1/model_apis", bearer("tenant-1"))
    ).text();
    const other = await (await get(emulator, "/v1/model_apis", bearer("tenant-2"))).text();
    expect(first).toBe(again);
    expect(first).not.toBe(other);
    const marker = /\[workspace (ws-[0-9a-f]{12})\]/.exec(first)?.[1];
    expect(marker).toBeDefined();
    expect(other).not.toContain(marker);
  });

  it("keeps 300 tenants apart: every key sees only its own marker and thresholds", async () => {
    const emulator = createEmulator({ acceptAnyKey: true });
    const markers = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const body = (await (
        await get(emulator, "/v1/model_apis?added_only=true", bearer(`tenant-${i}`))
      ).json()) as ModelApisPage;
      const found = new Set(body.items.map((m) => /\[workspace (ws-\w+)\]/.exec(m.description)?.[1]));
      expect(found.size).toBe(1);
      expect(body.items.length).toBeGreaterThan(0);
      markers.add([...found][0] ?? "");
    }
    expect(markers.size).toBe(300);
  });

  it("still serves configured workspaces by their keys", async () => {
    const emulator = createEmulator({ acceptAnyKey: true, workspaces: TEAMS });
    expect((await row("key-b", "kimi-k2-6", emulator)).org_details?.added_at).toBe("2026-03-01T10:00:00Z");
  });
});
