// Releases the published packages (core, gateway, emulator) to npm, and core and gateway to JSR.
//   node scripts/release.ts version     changeset version, then each jsr.json takes its package.json's version
//   node scripts/release.ts publish     build, changeset publish (npm), deno publish (JSR) for core and gateway
//   node scripts/release.ts dry-run     all of the above in a temporary copy of the tree, publishing nothing
// `./run release:version`, `./run release:publish` and `./run release:dry-run` run these with the pinned toolchain.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
/** The packages that are published, and which of them also go to JSR. */
const PUBLISHED = ["core", "gateway", "emulator"] as const;
const ON_JSR = ["core", "gateway"] as const;

type Manifest = { name: string; version: string };

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: "inherit", env: { ...process.env, NO_COLOR: "1" } });
}

function versions(root: string): Record<string, string> {
  return Object.fromEntries(
    PUBLISHED.map((name) => {
      const manifest = readJson<Manifest>(join(root, "packages", name, "package.json"));
      return [manifest.name, manifest.version];
    }),
  );
}

/** jsr.json carries its own version; after `changeset version` it must follow package.json's. */
export function syncJsrVersions(root: string): string[] {
  const changed: string[] = [];
  for (const name of ON_JSR) {
    const dir = join(root, "packages", name);
    const { version } = readJson<Manifest>(join(dir, "package.json"));
    const jsrFile = join(dir, "jsr.json");
    const jsr = readJson<Manifest & Record<string, unknown>>(jsrFile);
    if (jsr.version === version) continue;
    writeFileSync(jsrFile, `${JSON.stringify({ ...jsr, version }, null, 2)}\n`);
    changed.push(`${jsr.name} ${jsr.version} -> ${version}`);
  }
  return changed;
}

function version(root: string): void {
  run("pnpm", ["exec", "changeset", "version"], root);
  for (const line of syncJsrVersions(root)) console.log(`release: jsr.json ${line}`);
  // changesets rewrites package.json files; keep them formatted as the linter wants.
  run("pnpm", ["exec", "biome", "format", "--write", "packages"], root);
}

function publish(root: string, dryRun: boolean): void {
  const npmArgs = dryRun ? ["-r", "publish", "--dry-run", "--no-git-checks"] : ["exec", "changeset", "publish"];
  run("pnpm", npmArgs, root);
  const jsrArgs = ["runtime-tests/check-jsr.ts", "--root", root, ...(dryRun ? ["--publish-dry-run"] : [])];
  run("node", jsrArgs, here);
  if (!dryRun) for (const name of ON_JSR) run("deno", ["publish"], join(root, "packages", name));
}

/** A copy of the working tree (tracked and untracked, not ignored) plus built `dist` folders. */
function copyTree(): string {
  const copy = mkdtempSync(join(tmpdir(), "baseten-edge-release-"));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: here, encoding: "utf8" })
    .split("\0")
    .filter((file) => file && existsSync(join(here, file)));
  for (const file of files) cpSync(join(here, file), join(copy, file));
  for (const name of PUBLISHED) {
    const dist = join(here, "packages", name, "dist");
    if (existsSync(dist)) cpSync(dist, join(copy, "packages", name, "dist"), { recursive: true });
  }
  // Its own install (offline, from the store this checkout filled): pnpm resolves `workspace:*` through it.
  run("pnpm", ["install", "--frozen-lockfile", "--offline", "--ignore-scripts", "--reporter=silent"], copy);
  return copy;
}

function dryRun(): void {
  const before = versions(here);
  const copy = copyTree();
  try {
    version(copy);
    const after = versions(copy);
    for (const [name, from] of Object.entries(before)) console.log(`release: ${name} ${from} -> ${after[name]}`);
    publish(copy, true);
    console.log("release: dry run ok (nothing was published)");
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const command = process.argv[2];
if (command === "version") version(here);
else if (command === "publish") {
  run("pnpm", ["turbo", "run", "build", "--filter=./packages/*"], here);
  publish(here, false);
} else if (command === "dry-run") dryRun();
else {
  console.error("usage: node scripts/release.ts version|publish|dry-run");
  process.exit(2);
}
