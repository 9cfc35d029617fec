// isMain: the Deno/Bun/Node entry points start a server only when run as the program.
import { describe, expect, it } from "vitest";
import { isMain } from "../src/runtime/server.ts";

const meta = (fields: { main?: boolean; filename?: string }) => fields as unknown as ImportMeta;

describe("isMain", () => {
  it("follows import.meta.main where the runtime has it", () => {
    expect(isMain(meta({ main: true, filename: "/elsewhere.js" }))).toBe(true);
    expect(isMain(meta({ main: false, filename: process.argv[1] as string }))).toBe(false);
  });

  it("on a Node without import.meta.main, compares the module with the script Node was started with", () => {
    expect(isMain(meta({ filename: process.argv[1] as string }))).toBe(true);
    expect(isMain(meta({ filename: "/not/the/program.js" }))).toBe(false);
    expect(isMain(meta({}))).toBe(false);
  });
});
