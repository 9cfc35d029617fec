// Runtime neutrality: only the Node entry points may touch Node built-ins; everything else is web-standard.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const NODE_ONLY = new Set(["node.ts", "bin.ts"]);

describe("runtime neutrality", () => {
  it("keeps node: imports, Buffer and process out of every module but node.ts and bin.ts", async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((f) => f.endsWith(".ts") && !NODE_ONLY.has(f));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const text = await readFile(`${SRC}${file}`, "utf8");
      expect(text, file).not.toMatch(/from\s+["']node:|require\(|\bBuffer\b|\bprocess\./);
    }
  });

  it("has no module import node.ts, so the main entry never loads Node code", async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((f) => f.endsWith(".ts") && !NODE_ONLY.has(f));
    for (const file of files)
      expect(await readFile(`${SRC}${file}`, "utf8"), file).not.toMatch(/from\s+["'][./]*node\.ts["']/);
  });
});
