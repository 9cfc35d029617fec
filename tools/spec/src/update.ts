// `pnpm spec:update <file-or-url>`: replaces an upstream Baseten spec verbatim, regenerates the core types and summarises the change.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { diffSpecs } from "./diff.ts";
import { formatReport, formatSummary } from "./summary.ts";

type Format = "yaml" | "json";

/**
 * The upstream specs this repo keeps, and how to recognise a replacement for each. A spec is stored in
 * the format upstream publishes it in, as `<base>.json` or `<base>.yaml`.
 */
export const targets = {
  management: { base: "openapi/baseten/management", marker: "/v1/model_apis" },
  inference: { base: "openapi/baseten/inference", marker: "/v1/chat/completions" },
} as const satisfies Record<string, { base: string; marker: string }>;

export type Target = keyof typeof targets;

const generator = "packages/core/scripts/generate.ts";
const generatedDir = "packages/core/src/generated";
/** Names the specs' paths besides the generator, so a format change (JSON ↔ YAML) renames them there too. */
const lintConfig = "openapi/redocly.yaml";
const reportDir = ".spec-update";
const extensions: Record<Format, readonly string[]> = { json: [".json"], yaml: [".yaml", ".yml"] };

/** The file a spec is stored in now, under `root`. */
export function currentFile(root: string, name: Target): string {
  const { base } = targets[name];
  const found = [...extensions.json, ...extensions.yaml]
    .map((ext) => base + ext)
    .filter((f) => existsSync(join(root, f)));
  if (found.length !== 1) {
    throw new UpdateError(`Expected exactly one ${base}.json or ${base}.yaml under ${root}, found ${found.length}.`);
  }
  return found[0] as string;
}

/** A failure the user can act on; printed without a stack trace. */
export class UpdateError extends Error {
  override name = "UpdateError";
}

const isTarget = (value: string): value is Target => Object.hasOwn(targets, value);

/** Parses a spec as JSON when it is JSON, else as YAML, and checks it is an OpenAPI 3.x document. */
export function parseSpec(text: string, source: string): { format: Format; doc: Record<string, unknown> } {
  let format: Format = "json";
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    format = "yaml";
    try {
      doc = parseYaml(text);
    } catch (error) {
      throw new UpdateError(`${source} is neither JSON nor YAML: ${(error as Error).message}`);
    }
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new UpdateError(`${source} is not an OpenAPI 3.x document (it is not an object).`);
  }
  const version = (doc as Record<string, unknown>).openapi;
  if (typeof version !== "string" || !/^3\.\d+/.test(version)) {
    const swagger = (doc as Record<string, unknown>).swagger;
    const found =
      typeof swagger === "string"
        ? `Swagger ${swagger}`
        : version === undefined
          ? "no `openapi` field"
          : `openapi: ${JSON.stringify(version)}`;
    throw new UpdateError(`${source} is not an OpenAPI 3.x document (found ${found}).`);
  }
  return { format, doc: doc as Record<string, unknown> };
}

/** Which upstream spec `doc` replaces, judged by a path only that spec has. */
export function detectTarget(doc: Record<string, unknown>, source: string): Target {
  const paths = typeof doc.paths === "object" && doc.paths !== null ? doc.paths : {};
  const matches = (Object.keys(targets) as Target[]).filter((t) => Object.hasOwn(paths, targets[t].marker));
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return only;
  const options = (Object.keys(targets) as Target[]).map((t) => `${t} (has ${targets[t].marker})`).join(" or ");
  throw new UpdateError(
    `Cannot tell which upstream spec ${source} replaces: expected exactly one of ${options}. ` +
      "Pass --target management|inference.",
  );
}

async function readSource(source: string): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source).catch((error: unknown) => {
      throw new UpdateError(`Could not fetch ${source}: ${(error as Error).message}`);
    });
    if (!response.ok) throw new UpdateError(`Could not fetch ${source}: HTTP ${response.status}.`);
    return new Uint8Array(await response.arrayBuffer());
  }
  return readFile(source).catch((error: unknown) => {
    throw new UpdateError(`Could not read ${source}: ${(error as Error).message}`);
  });
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const names = await readdir(dir).catch(() => []);
  const entries = await Promise.all(
    names.map(async (name) => [name, await readFile(join(dir, name), "utf8")] as const),
  );
  return new Map(entries);
}

export interface UpdateOptions {
  source: string;
  root: string;
  target?: Target | undefined;
  log?: (line: string) => void;
}

/** Where a spec in `format` goes: the current file when the format is unchanged, else `<base>.<format>`. */
function fileFor(current: string, name: Target, format: Format): string {
  return extensions[format].some((ext) => current.endsWith(ext)) ? current : `${targets[name].base}.${format}`;
}

/** The files an update may touch, as they were, so a failed generation can put every byte back. */
async function remember(root: string, files: readonly string[]): Promise<() => Promise<void>> {
  const saved = await Promise.all(
    files.map(async (file) => [file, await readFile(join(root, file)).catch(() => null)] as const),
  );
  const outDir = join(root, generatedDir);
  const generated = await snapshot(outDir);
  return async () => {
    for (const [file, bytes] of saved) {
      if (bytes === null) await rm(join(root, file), { force: true });
      else await writeFile(join(root, file), bytes);
    }
    for (const [out, content] of generated) await writeFile(join(outDir, out), content);
  };
}

/** Renames a spec in the lint config when its format changed; the config is ours, so it may be edited. */
async function renameInLintConfig(root: string, from: string, to: string): Promise<void> {
  const path = join(root, lintConfig);
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return;
  const [a, b] = [from, to].map((file) => `./${relative("openapi", file)}`) as [string, string];
  await writeFile(path, text.replaceAll(a, b));
}

/** Runs core's compiler over the new types: the answer to "does the client still build?". */
function typecheckCore(root: string): { ok: boolean; output: string } | null {
  const tsc = join(root, "packages/core/node_modules/typescript/bin/tsc");
  if (!existsSync(tsc)) return null;
  const args = [tsc, "-p", join(root, "packages/core/tsconfig.build.json"), "--noEmit", "--pretty", "false"];
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/**
 * Replaces the spec with the given bytes, regenerates, checks that core still compiles, logs a short
 * summary and writes the full report. Restores every file if generation fails; keeps the new spec
 * (and exits non-zero) when only core's own code no longer compiles, since that is core's to fix.
 */
export async function updateSpec({ source, root, target, log = console.log }: UpdateOptions): Promise<boolean> {
  const bytes = await readSource(source);
  const incoming = parseSpec(new TextDecoder().decode(bytes), source);
  const name = target ?? detectTarget(incoming.doc, source);
  const current = currentFile(root, name);
  const file = fileFor(current, name, incoming.format);

  const oldBytes = await readFile(join(root, current));
  if (file === current && Buffer.compare(oldBytes, bytes) === 0) {
    log(`${file} is already identical to ${source}; nothing to do.`);
    return true;
  }
  const old = parseSpec(oldBytes.toString("utf8"), current);

  const restore = await remember(root, [current, file, lintConfig]);
  await writeFile(join(root, file), bytes);
  if (file !== current) {
    await rm(join(root, current));
    await renameInLintConfig(root, current, file);
  }
  const before = await snapshot(join(root, generatedDir));
  const run = spawnSync(process.execPath, [join(root, generator)], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) {
    // Leave the tree as it was so a bad spec never lands half-applied.
    await restore();
    const reason = run.error?.message ?? (run.stderr.trim() || `exit code ${run.status}`);
    throw new UpdateError(`The type generator failed, so ${current} was left unchanged:\n${reason}`);
  }
  const after = await snapshot(join(root, generatedDir));
  const changed = [...after.keys()].filter((out) => before.get(out) !== after.get(out)).sort();

  const renamed = file === current ? "" : ` (was ${current}: upstream now publishes ${incoming.format.toUpperCase()})`;
  log(`Replaced ${file} with ${source} (${bytes.byteLength} bytes, verbatim)${renamed}.`);
  log(
    changed.length === 0
      ? "Generated types unchanged."
      : `Generated types changed: ${changed.map((out) => `${generatedDir}/${out}`).join(", ")}`,
  );
  const compiled = changed.length === 0 ? null : typecheckCore(root);
  if (compiled) log(compiled.ok ? "packages/core still compiles." : "packages/core no longer compiles:");
  if (compiled && !compiled.ok) log(compiled.output.split("\n").slice(0, 20).join("\n"));

  const changes = diffSpecs(old.doc, incoming.doc);
  const report = join(reportDir, `${name}.md`);
  await mkdir(join(root, reportDir), { recursive: true });
  await writeFile(join(root, report), formatReport(changes));
  log("");
  log(formatSummary(changes, report));
  return compiled?.ok ?? true;
}

const usage = "Usage: node tools/spec/src/update.ts <file-or-url> [--target management|inference] [--root DIR]";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { target: { type: "string" }, root: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [source, ...extra] = positionals;
  if (source === undefined || extra.length > 0) throw new UpdateError(usage);
  if (values.target !== undefined && !isTarget(values.target)) {
    throw new UpdateError(`--target must be management or inference, not ${JSON.stringify(values.target)}.`);
  }
  // The root is configurable so tests (and dry runs) can work on a copy of the repository.
  const root = resolve(
    values.root ?? process.env.SPEC_UPDATE_ROOT ?? fileURLToPath(new URL("../../../", import.meta.url)),
  );
  // Exit 2: the spec and types were updated, but core's own code must change before it builds again.
  return (await updateSpec({ source, root, target: values.target })) ? 0 : 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
    const known = error instanceof UpdateError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(known ? `spec:update: ${(error as Error).message}` : error);
    return 1;
  });
}
