import fc from "fast-check";
import { expect, it } from "vitest";
import { createBasetenClient, InvalidArgumentError } from "../src/index.ts";
import { json, modelApi, recordingFetch } from "./helpers.ts";

const prefix = "/v1/model_apis/";

// Names built to be hostile: separators, dots, escapes and controls mixed with ordinary text.
const hostile = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        ".",
        "..",
        "/",
        "\\",
        "%",
        "%2e",
        "%2E",
        "%2f",
        "%5c",
        "?",
        "#",
        "\u0000",
        "\n",
        "a",
        "-",
        " ",
        "é",
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join("")),
);

it("get only ever requests /v1/model_apis/<one encoded segment>, or throws before any request", async () => {
  let requested = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(hostile, async (name) => {
      const server = recordingFetch(() => json(modelApi("x")));
      const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, baseUrl: "https://api.test/base" });
      try {
        await client.modelApis.get(name);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(server.requests).toHaveLength(0);
        refused++;
        return;
      }
      expect(server.requests).toHaveLength(1);
      const url = new URL(server.requests[0]!.url);
      expect(url.origin).toBe("https://api.test");
      expect(url.search).toBe("");
      expect(url.hash).toBe("");
      expect(url.pathname.startsWith(`/base${prefix}`)).toBe(true);
      const segment = url.pathname.slice(`/base${prefix}`.length);
      expect(segment).not.toContain("/");
      expect(segment).not.toBe("");
      expect(decodeURIComponent(segment)).toBe(name);
      requested++;
    }),
    { numRuns: 5_000 },
  );
  // Both outcomes must really occur, or the property proves nothing.
  expect(requested).toBeGreaterThan(100);
  expect(refused).toBeGreaterThan(100);
}, 60_000);
