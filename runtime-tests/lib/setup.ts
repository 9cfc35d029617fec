// Matrix setup: pinned runtimes in .tools/runtimes, packed tarballs, one small project per runtime.
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { aptInstall, run } from "@baseten-edge/harness";

/** Runtimes and tools the matrix installs from the npm registry, pinned. */
export const TOOLS = {
  deno: "2.9.6",
  bun: "1.4.5",
  wrangler: "4.164.0",
  esbuild: "0.28.2",
  "playwright-core": "1.65.1",
} as const;

/** Installs TOOLS into `dir` unless they are there at those versions; returns the bin folder. */
export async function ensureTools(dir: string, env: Record<string, string | undefined>): Promise<string> {
  const installed = async (name: string) =>
    JSON.parse(await readFile(join(dir, "node_modules", name, "package.json"), "utf8").catch(() => "{}")).version;
  const missing = [];
  for (const [name, version] of Object.entries(TOOLS)) if ((await installed(name)) !== version) missing.push(name);
  if (missing.length) {
    console.log(
      `installing ${Object.entries(TOOLS)
        .map(([n, v]) => `${n}@${v}`)
        .join(" ")} into ${dir}`,
    );
    await mkdir(dir, { recursive: true });
    const specs = Object.entries(TOOLS).map(([name, version]) => `${name}@${version}`);
    await run(
      "npm",
      [
        "install",
        "--prefix",
        dir,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        ...specs,
      ],
      {
        cwd: dir,
        env,
        timeoutMs: 240_000,
      },
    );
  }
  return join(dir, "node_modules", ".bin");
}

/** Chromium's path, installing it with apt when running as root; null when it cannot be had. */
export async function ensureChromium(env: Record<string, string | undefined>): Promise<string | null> {
  const path = "/usr/bin/chromium";
  if (existsSync(path)) return path;
  if (process.getuid?.() !== 0) return null;
  console.log("installing chromium with apt-get");
  await aptInstall(["chromium"], env);
  return existsSync(path) ? path : null;
}

export const PACKAGES = ["core", "gateway", "emulator"] as const;
export type PackageName = (typeof PACKAGES)[number];

/** `pnpm pack`s each package into `dir` as `<name>.tgz` (what users install, not the source folder). */
export async function packAll(root: string, dir: string, env: Record<string, string | undefined>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(
    PACKAGES.map(async (name) => {
      const out = await run("pnpm", ["pack", "--pack-destination", dir], {
        cwd: join(root, "packages", name),
        env,
        timeoutMs: 60_000,
      });
      const tarball = out
        .trim()
        .split("\n")
        .findLast((line) => line.trim().endsWith(".tgz"));
      if (!tarball) throw new Error(`pnpm pack printed no tarball for ${name}:\n${out}`);
      await rename(tarball.trim(), join(dir, `${name}.tgz`));
    }),
  );
}

/**
 * Makes `<work>/<name>`: the runtime's files from runtime-tests/<name> (if any), the packed packages
 * and `extra` registry dependencies, installed with npm. runtime-tests/shared is copied beside it.
 */
export async function makeProject(
  source: string,
  work: string,
  name: string,
  packages: PackageName[],
  extra: Record<string, string>,
  env: Record<string, string | undefined>,
): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  if (existsSync(join(source, name))) await cp(join(source, name), dir, { recursive: true });
  if (!existsSync(join(work, "shared"))) await cp(join(source, "shared"), join(work, "shared"), { recursive: true });
  const local = Object.fromEntries(PACKAGES.map((p) => [`@baseten-edge/${p}`, `file:../tarballs/${p}.tgz`]));
  const dependencies = {
    ...Object.fromEntries(packages.map((p) => [`@baseten-edge/${p}`, local[`@baseten-edge/${p}`]])),
    ...extra,
  };
  // The tarballs depend on each other at 0.0.0, which is not on the registry: point those at the tarballs too.
  const overrides = Object.fromEntries(Object.entries(local).filter(([n]) => !(n in dependencies)));
  const manifest = {
    name: `runtime-test-${name}`,
    private: true,
    type: "module",
    dependencies,
    overrides: { ...overrides },
  };
  for (const n of Object.keys(local))
    if (n in dependencies) (manifest.overrides as Record<string, string>)[n] = `$${n}`;
  await writeFile(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await run("npm", ["install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    env,
    timeoutMs: 180_000,
  });
  return dir;
}
