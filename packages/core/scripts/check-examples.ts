// Type-checks every ```ts example in the READMEs and every @example in core's JSDoc against the source.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const root = join(pkg, "../..");
const out = join(pkg, ".examples");

// Runtime globals the examples may use; declared here so examples need no per-runtime type packages.
const preamble = [
  "declare const process: { env: Record<string, string | undefined>; stdout: { write(text: string): boolean } };",
  "declare const Deno: { env: { get(name: string): string | undefined } };",
  "declare const Bun: { env: Record<string, string | undefined> };",
  "declare const env: { BASETEN_API_KEY: string };",
].join("\n");

/** Every ```ts block of a markdown file. */
function markdownBlocks(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/** Every ```ts block inside an @example of a TypeScript file's JSDoc. */
function jsdocBlocks(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)].map((m) =>
    m[1]!.replace(/^\s*\* ?/gm, ""),
  );
}

const sources: [string, string[]][] = [
  ...[join(root, "README.md"), join(pkg, "README.md")].map((f): [string, string[]] => [f, markdownBlocks(f)]),
  ...readdirSync(join(pkg, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.startsWith("generated"))
    .map((f): [string, string[]] => [join(pkg, "src", f), jsdocBlocks(join(pkg, "src", f))]),
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const files: string[] = [];
for (const [file, blocks] of sources) {
  blocks.forEach((code, i) => {
    const name = `${relative(root, file).replace(/[^\w]+/g, "_")}_${i + 1}.ts`;
    writeFileSync(join(out, name), `${preamble}\n${code}\nexport {};\n`);
    files.push(name);
  });
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../../tsconfig.base.json",
    compilerOptions: {
      noEmit: true,
      types: [],
      noUnusedLocals: false,
      paths: { "@baseten-edge/core": ["../src/index.ts"] },
    },
    files,
  }),
);
try {
  execFileSync(process.execPath, [join(pkg, "node_modules/typescript/bin/tsc"), "-p", join(out, "tsconfig.json")], {
    stdio: "inherit",
  });
  console.log(`examples: ${files.length} code examples type-check`);
} catch {
  console.error(`examples: type errors above (sources written to ${relative(root, out)}/)`);
  process.exit(1);
}
