// `pnpm spec:update <file-or-url>`: replaces an upstream Baseten spec verbatim, regenerates the core types and summarises the change.
import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { diffSpecs, formatSummary } from "./diff.ts";

type Format = "yaml" | "json";

/** The upstream specs this repo keeps, and how to recognise a replacement for each. */
export const targets = {
  management: { file: "openapi/baseten/management.yaml", format: "yaml", marker: "/v1/model_apis" },
  inference: { file: "openapi/baseten/inference.json", format: "json", marker: "/v1/chat/completions" },
} as const satisfies Record<string, { file: string; format: Format; marker: string }>;

export type Target = keyof typeof targets;

const generator = "packages/core/scripts/generate.ts";
const generatedDir = "packages/core/src/generated";

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

/** Replaces the spec, regenerates, and logs the summary; restores the old spec if generation fails. */
export async function updateSpec({ source, root, target, log = console.log }: UpdateOptions): Promise<void> {
  const bytes = await readSource(source);
  const text = new TextDecoder().decode(bytes);
  const incoming = parseSpec(text, source);
  const name = target ?? detectTarget(incoming.doc, source);
  const { file, format } = targets[name];
  if (incoming.format !== format) {
    throw new UpdateError(
      `${source} is ${incoming.format.toUpperCase()} but ${file} is ${format.toUpperCase()}; ` +
        `the spec is kept verbatim, so convert it to ${format.toUpperCase()} first (or get the ${format.toUpperCase()} file upstream).`,
    );
  }

  const specPath = join(root, file);
  const oldBytes = await readFile(specPath).catch((error: unknown) => {
    throw new UpdateError(`Could not read the current ${file} under ${root}: ${(error as Error).message}`);
  });
  if (Buffer.compare(oldBytes, bytes) === 0) {
    log(`${file} is already identical to ${source}; nothing to do.`);
    return;
  }
  const old = parseSpec(oldBytes.toString("utf8"), file);

  const outDir = join(root, generatedDir);
  const before = await snapshot(outDir);
  await writeFile(specPath, bytes);
  const run = spawnSync(process.execPath, [join(root, generator)], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) {
    // Leave the tree as it was so a bad spec never lands half-applied.
    await writeFile(specPath, oldBytes);
    for (const [out, content] of before) await writeFile(join(outDir, out), content);
    const reason = run.error?.message ?? (run.stderr.trim() || `exit code ${run.status}`);
    throw new UpdateError(`The type generator failed, so ${file} was left unchanged:\n${reason}`);
  }
  const after = await snapshot(outDir);
  const changed = [...after.keys()].filter((out) => before.get(out) !== after.get(out)).sort();

  log(`Replaced ${file} with ${source} (${bytes.byteLength} bytes, verbatim).`);
  log(
    changed.length === 0
      ? "Generated types unchanged."
      : `Generated types changed: ${changed.map((out) => `${generatedDir}/${out}`).join(", ")}`,
  );
  log("");
  log(formatSummary(diffSpecs(old.doc, incoming.doc)));
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
  await updateSpec({ source, root, target: values.target });
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
    const known = error instanceof UpdateError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(known ? `spec:update: ${(error as Error).message}` : error);
    return 1;
  });
}
