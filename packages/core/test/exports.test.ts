// The public entry is a promise kept across versions: it holds what applications call, nothing the gateway borrows.
import { describe, expect, it } from "vitest";
import * as core from "../src/index.ts";
import * as internal from "../src/internal.ts";

describe("the public entry", () => {
  it("does not export the helpers that live behind @baseten-edge/core/internal", () => {
    const leaked = Object.keys(internal).filter((name) => name in core);
    expect(leaked).toEqual([]);
  });

  it("exports the clients, the errors and the catalog helpers", () => {
    for (const name of ["createBasetenClient", "createInferenceClient", "ApiError", "estimateCost", "searchCatalog"]) {
      expect(core).toHaveProperty(name);
    }
  });
});

describe("the internal entry", () => {
  it("exports the helpers the gateway and the emulator use", () => {
    expect(Object.keys(internal).sort()).toEqual([
      "SseParserStream",
      "abortableSleep",
      "assertPathSegment",
      "createSseParser",
      "neverReachedServer",
      "parseErrorBody",
      "retryAfterMs",
    ]);
  });
});
