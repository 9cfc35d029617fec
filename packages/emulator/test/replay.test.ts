// Replay: every cassette in fixtures/ answers its recorded request with the recorded status, headers and bytes.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type Cassette, createEmulator, parseCassette } from "../src/index.ts";
import { loadCassetteDir } from "../src/node.ts";
import { FIXTURES } from "./helpers.ts";

const cassettes = await loadCassetteDir(FIXTURES);

function replayed(cassette: Cassette): Promise<Response> {
  const { request } = cassette.interactions[0] ?? { request: undefined };
  if (!request) throw new Error(`${cassette.name} is empty`);
  const url = new URL(request.url);
  const emulator = createEmulator({ cassettes: [cassette] });
  return emulator.fetch(`http://emulator.test${url.pathname}${url.search}`, {
    method: request.method,
    headers: { "content-type": "application/json" },
    ...(request.method === "GET" ? {} : { body: request.body }),
  });
}

describe("cassette replay", () => {
  it("loads all 67 cassettes copied from the reference recordings", () => {
    expect(cassettes).toHaveLength(67);
    expect(cassettes.map((c) => c.name)).toContain("errors/bad_model/GenSync.yaml");
  });

  it.each(cassettes.map((c) => [c.name, c] as const))("replays %s byte for byte", async (_, cassette) => {
    const recorded = cassette.interactions[0]?.response;
    const res = await replayed(cassette);
    expect(res.status).toBe(recorded?.code);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes).toEqual(new TextEncoder().encode(recorded?.body ?? ""));
    for (const [name, values] of Object.entries(recorded?.headers ?? {})) {
      expect(res.headers.get(name), name).toBe(values.join(", "));
    }
  });

  it("matches a JSON body by value, so a body without Go's trailing newline still replays", async () => {
    const cassette = cassettes.find((c) => c.name === "errors/bad_model/GenSync.yaml");
    const request = cassette?.interactions[0]?.request;
    const compact = JSON.stringify(JSON.parse(request?.body ?? ""));
    const res = await createEmulator({ cassettes }).fetch("http://x/v1/chat/completions", {
      method: "POST",
      body: ` ${compact}`,
    });
    expect(await res.text()).toBe(cassette?.interactions[0]?.response.body);
  });

  it("answers several recordings of one request in order, as go-vcr does", async () => {
    const same = [
      "Scoreboard/openai/gpt-oss-120b_thinking/GenSync-Citations-text-plain.yaml",
      "TextOutputDocInput/Quackiland.yaml",
      "TextOutputDocInput/Stdin.yaml",
    ].map((name) => cassettes.find((c) => c.name === name) as Cassette);
    const emulator = createEmulator({ cassettes: same });
    const request = same[0]?.interactions[0]?.request;
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await emulator.fetch("http://x/v1/chat/completions", { method: "POST", body: request?.body ?? "" });
      bodies.push(await res.text());
    }
    const recorded = same.map((c) => c.interactions[0]?.response.body);
    expect(bodies).toEqual([...recorded, recorded[2]]);
    expect(new Set(recorded).size).toBe(3);
  });

  it("marks replayed requests in the log and falls through to emulation when nothing matches", async () => {
    const emulator = createEmulator({ cassettes });
    const res = await emulator.fetch("http://x/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer emulator-key" },
      body: JSON.stringify({ model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "not recorded" }] }),
    });
    expect(res.status).toBe(200);
    expect(emulator.requests.list()[0]?.replayed).toBe(false);
    const hit = cassettes.find((c) => c.name === "errors/bad_model/GenSync.yaml")?.interactions[0]?.request;
    await emulator.fetch("http://x/v1/chat/completions", { method: "POST", body: hit?.body ?? "" });
    expect(emulator.requests.list()[1]?.replayed).toBe(true);
  });

  it("parses a cassette from text alone, with no file system", async () => {
    const text = await readFile(`${FIXTURES}errors/bad_apiKey/GenSync.yaml`, "utf8");
    const cassette = parseCassette(text, "bad_apiKey");
    expect(cassette.interactions[0]?.request).toMatchObject({
      method: "POST",
      url: "https://inference.baseten.co/v1/chat/completions",
    });
    expect(cassette.interactions[0]?.response.code).toBe(403);
  });

  it.each([
    ["not YAML", "a: [", "not valid YAML"],
    ["another version", "version: 1\ninteractions: []", "version 1"],
    ["no interactions", "version: 2", "no interactions"],
    [
      "an interaction without a response",
      "version: 2\ninteractions:\n  - request: {method: GET, url: 'https://x/'}",
      "request and a response",
    ],
  ])("refuses a cassette that is %s, naming it", (_, text, message) => {
    expect(() => parseCassette(text, "broken.yaml")).toThrow(/broken\.yaml/);
    expect(() => parseCassette(text, "broken.yaml")).toThrow(message);
  });
});
