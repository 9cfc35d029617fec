// Type-checks every ```ts example in the given markdown files and every @example in the current
// package's JSDoc, against the workspace packages' sources. Run from a package folder:
//   node ../../scripts/check-examples.ts README.md ../../README.md
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = process.cwd();
const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(pkg, ".examples");
// Every workspace package, imported by name, resolves to its source.
const paths = Object.fromEntries(
  ["core", "gateway", "emulator"].map((name) => [
    `@baseten-edge/${name}`,
    [join(root, "packages", name, "src/index.ts")],
  ]),
);

// Runtime globals the examples may use; declared here so examples need no per-runtime type packages.
const preamble = [
  "declare const process: { env: Record<string, string | undefined>; stdout: { write(text: string): boolean } };",
  "declare const Deno: { env: { get(name: string): string | undefined }; openKv(path?: string): Promise<any> };",
  "declare const Bun: { env: Record<string, string | undefined> };",
  "declare const env: { BASETEN_API_KEY: string };",
].join("\n");

/** Every ```ts block of a markdown file. */
function markdownBlocks(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/**
 * Every ```ts block inside an @example of a TypeScript file's JSDoc. A relative import in one is read
 * from the file's own folder (an internal module's example imports it as its neighbours do), so it is
 * rewritten to the same module seen from `out`.
 */
function jsdocBlocks(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const fromOut = (specifier: string) => {
    const path = relative(out, resolve(dirname(file), specifier)).replaceAll(sep, "/");
    return path.startsWith(".") ? path : `./${path}`;
  };
  return [...text.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)].map((m) =>
    m[1]!
      .replace(/^\s*\* ?/gm, "")
      .replace(
        /(from\s+["'])(\.\.?\/[^"']+)(["'])/g,
        (_, open: string, specifier: string, close: string) => open + fromOut(specifier) + close,
      ),
  );
}

const sources: [string, string[]][] = [
  ...process.argv.slice(2).map((f): [string, string[]] => [join(pkg, f), markdownBlocks(join(pkg, f))]),
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
    extends: join(root, "tsconfig.base.json"),
    compilerOptions: {
      noEmit: true,
      types: [],
      noUnusedLocals: false,
      paths,
    },
    files,
  }),
);
try {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(out, "tsconfig.json")], {
    stdio: "inherit",
  });
  console.log(`examples: ${files.length} code examples type-check`);
} catch {
  console.error(`examples: type errors above (sources written to ${relative(root, out)}/)`);
  process.exit(1);
}
