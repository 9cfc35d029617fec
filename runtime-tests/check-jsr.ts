// Checks that each package's jsr.json exports the same entry points as its package.json (source instead of dist).
//   node runtime-tests/check-jsr.ts [--publish-dry-run] [--root DIR]
// --root checks another copy of the repository (the release dry run's, after `changeset version`).
// --publish-dry-run also runs `deno publish --dry-run` (Deno from .tools/runtimes; run.ts installs it) on a copy of
// the two packages in a Deno workspace, so `@baseten-edge/core` resolves to core's sources as it will on JSR.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTools } from "./lib/setup.ts";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const rootFlag = process.argv.indexOf("--root");
const root = rootFlag === -1 ? here : (process.argv[rootFlag + 1] ?? here);
const problems: string[] = [];

for (const name of ["core", "gateway"]) {
  const dir = join(root, "packages", name);
  const npm = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const jsr = JSON.parse(readFileSync(join(dir, "jsr.json"), "utf8"));
  if (jsr.name !== npm.name) problems.push(`${name}: jsr.json name ${jsr.name} is not ${npm.name}`);
  if (jsr.version !== npm.version) problems.push(`${name}: jsr.json version ${jsr.version} is not ${npm.version}`);
  // JSR serves sources, so ./dist/x.js in package.json is ./src/x.ts in jsr.json; ./package.json has no JSR counterpart.
  const expected = Object.fromEntries(
    Object.entries(npm.exports as Record<string, string | { default: string }>)
      .filter(([entry]) => entry !== "./package.json")
      .map(([entry, target]) => [
        entry,
        (typeof target === "string" ? target : target.default).replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts"),
      ]),
  );
  const actual = jsr.exports as Record<string, string>;
  for (const entry of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (expected[entry] !== actual[entry]) {
      problems.push(
        `${name}: export ${entry} is ${actual[entry] ?? "missing"} in jsr.json, ${expected[entry] ?? "missing"} in package.json`,
      );
    } else if (!existsSync(join(dir, actual[entry]!)))
      problems.push(`${name}: export ${entry} points at missing ${actual[entry]}`);
  }
}

if (problems.length) {
  console.error(`jsr.json and package.json disagree:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("jsr.json exports match package.json for core and gateway");

if (process.argv.includes("--publish-dry-run")) {
  // The same pinned Deno the matrix uses, installed here when this runs first.
  const deno = join(await ensureTools(join(here, ".tools/runtimes"), process.env), "deno");
  const copy = mkdtempSync(join(tmpdir(), "baseten-edge-jsr-"));
  let failed = false;
  try {
    writeFileSync(join(copy, "deno.json"), JSON.stringify({ workspace: ["./packages/core", "./packages/gateway"] }));
    for (const name of ["core", "gateway"]) {
      for (const file of ["src", "package.json", "jsr.json", "README.md", "RUNTIMES.md"]) {
        const from = join(root, "packages", name, file);
        if (existsSync(from)) cpSync(from, join(copy, "packages", name, file), { recursive: true });
      }
    }
    for (const name of ["core", "gateway"]) {
      try {
        execFileSync(deno, ["publish", "--dry-run", "--allow-dirty"], {
          cwd: join(copy, "packages", name),
          stdio: "inherit",
          timeout: 180_000,
          env: { ...process.env, NO_COLOR: "1" },
        });
        console.log(`deno publish --dry-run: ${name} ok`);
      } catch {
        console.error(`deno publish --dry-run: ${name} FAILED`);
        failed = true;
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}
