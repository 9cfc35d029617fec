// End-to-end behaviour of `spec:update`, run as users run it, against a throwaway copy of the repository.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { excerptText, management, managementText, repoRoot, wholeOverExcerpt } from "./fixtures.ts";

const cli = fileURLToPath(new URL("../src/update.ts", import.meta.url));
const managementFile = "openapi/baseten/management.json";
const inferenceFile = "openapi/baseten/inference.json";
const generatedManagement = "packages/core/src/generated/management.ts";
const lintConfig = "openapi/redocly.yaml";

let root: string;

/**
 * Copies what update.ts, the real generator and core's compiler touch; openapi-typescript and
 * TypeScript are found through a symlink to core's node_modules.
 */
function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "spec-update-"));
  for (const path of [
    "openapi",
    "tsconfig.base.json",
    "packages/core/scripts/generate.ts",
    "packages/core/src",
    "packages/core/package.json",
    "packages/core/tsconfig.build.json",
  ]) {
    cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  }
  symlinkSync(join(repoRoot, "packages/core/node_modules"), join(dir, "packages/core/node_modules"), "dir");
  return dir;
}

function update(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args, "--root", root], { encoding: "utf8", timeout: 90_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const read = (path: string) => readFileSync(join(root, path), "utf8");
const state = () => ({ spec: read(managementFile), generated: read(generatedManagement), lint: read(lintConfig) });

/** The real document with `context_length` turned from an integer into a string, edited as text so bytes stay exact. */
const contextLengthAsString = managementText.replace(
  '"title": "Context Length",\n                        "type": "integer"',
  '"title": "Context Length",\n                        "type": "string"',
);
/** The real document with one description reworded: the generated JSDoc changes, the types do not. */
const reworded = managementText.replace(
  '"description": "Base URL for invoking the Model API.',
  '"description": "Where to send inference requests for the Model API.',
);

function writeInput(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

beforeEach(() => {
  root = copyRepo();
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("spec:update", () => {
  it("stores the bytes it is given, regenerates, says core still compiles and writes the full report", () => {
    expect(reworded).not.toBe(managementText);
    const inferenceBefore = read(inferenceFile);

    const result = update(writeInput("new.json", reworded));

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(read(managementFile)).toBe(reworded);
    expect(read(inferenceFile)).toBe(inferenceBefore);
    expect(read(generatedManagement)).toContain("@description Where to send inference requests for the Model API.");
    expect(result.stdout).toContain(`Generated types changed: ${generatedManagement}\npackages/core still compiles.\n`);
    expect(result.stdout).toContain("Suggested changeset level: **patch** (documentation only)");
    expect(result.stdout).toContain("- `ModelAPIV1.invoke_url`: description changed");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("Full report: .spec-update/management.md");
    expect(read(".spec-update/management.md")).toContain("### Documentation (1)");
  }, 90_000);

  it("moves a checkout that kept the YAML excerpt to Baseten's whole JSON document, byte for byte", () => {
    // The repository as it was: the hand-merged excerpt as management.yaml, named in the lint config.
    rmSync(join(root, managementFile));
    writeFileSync(join(root, "openapi/baseten/management.yaml"), excerptText);
    writeFileSync(join(root, lintConfig), read(lintConfig).replace("management.json", "management.yaml"));
    const reference = join(repoRoot, "../shared/reference/baseten-management-openapi.json");
    const source = existsSync(reference) ? reference : writeInput("management.json", managementText);

    const result = update(source);

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(join(root, managementFile))).toEqual(Buffer.from(managementText));
    expect(existsSync(join(root, "openapi/baseten/management.yaml"))).toBe(false);
    expect(read(lintConfig)).toContain("root: ./baseten/management.json");
    expect(result.stdout).not.toContain("no longer compiles");
    const summary = result.stdout.slice(result.stdout.indexOf("Suggested changeset level")).trimEnd().split("\n");
    expect(summary.length).toBeLessThanOrEqual(60);
    expect(summary).toContain("- `RateLimitV1.threshold`: minimum 1 → 0");
    const { paths, schemas } = wholeOverExcerpt();
    expect(summary).toContain(`Added: ${paths} paths, ${schemas} schemas`);
  }, 90_000);

  it("keeps a spec that breaks core's code, prints the compiler's errors and exits 2", () => {
    const result = update(writeInput("new.json", contextLengthAsString));

    expect(result.status).toBe(2);
    expect(read(managementFile)).toBe(contextLengthAsString);
    expect(read(generatedManagement)).toMatch(/context_length: string;/);
    expect(result.stdout).toContain("packages/core no longer compiles:");
    expect(result.stdout).toMatch(/src\/catalog\/search\.ts\(\d+,\d+\): error TS\d+/);
    expect(result.stdout).toContain("- `ModelAPIV1.context_length`: integer → string");
  }, 90_000);

  it("reads the new spec from an http URL", async () => {
    const server = createServer((_req, res) => res.end(reworded));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as AddressInfo;
      // spawnSync would block the server in this process, so run the CLI asynchronously.
      const child = spawn(process.execPath, [cli, `http://127.0.0.1:${port}/management.json`, "--root", root]);
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      const status = await new Promise<number | null>((done) => child.on("close", done));

      expect(status).toBe(0);
      expect(read(managementFile)).toBe(reworded);
      expect(stdout).toContain("`ModelAPIV1.invoke_url`: description changed");
    } finally {
      server.close();
    }
  }, 90_000);

  it("says so and changes nothing when the spec is already identical", () => {
    const before = state();

    const result = update(join(repoRoot, managementFile));

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `${managementFile} is already identical to ${join(repoRoot, managementFile)}; nothing to do.\n`,
    );
    expect(state()).toEqual(before);
  });

  it("refuses a file that is not an OpenAPI 3.x document and writes nothing", () => {
    const before = state();

    const result = update(writeInput("swagger.yaml", "swagger: '2.0'\npaths:\n  /v1/model_apis: {}\n"));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is not an OpenAPI 3.x document (found Swagger 2.0)");
    expect(result.stdout).toBe("");
    expect(state()).toEqual(before);
  });

  it("refuses a YAML file that has no openapi field", () => {
    const result = update(writeInput("config.yaml", "name: not-a-spec\npaths:\n  /v1/model_apis: {}\n"));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is not an OpenAPI 3.x document (found no `openapi` field)");
    expect(read(managementFile)).toBe(managementText);
  });

  it("stores a YAML spec as YAML, byte for byte, and renames it in the lint config", () => {
    const yamlText = `# upstream now publishes YAML\n${stringify(management())}`;

    const result = update(writeInput("management.yaml", yamlText));

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(read("openapi/baseten/management.yaml")).toBe(yamlText);
    expect(existsSync(join(root, managementFile))).toBe(false);
    expect(read(lintConfig)).toContain("root: ./baseten/management.yaml");
    expect(read(lintConfig)).not.toContain("management.json");
    expect(result.stdout).toContain("(was openapi/baseten/management.json: upstream now publishes YAML)");
    // Only the header names the new file; the types are the same.
    expect(read(generatedManagement)).toContain("from openapi/baseten/management.yaml — do not edit");
    expect(result.stdout).toContain("packages/core still compiles.");
  }, 90_000);

  it("puts every file back when a path core wraps is gone, even across a format change", () => {
    const before = state();
    const doc = management();
    delete doc.paths["/v1/model_apis/{model_api_name}"];

    const result = update(writeInput("smaller.yaml", stringify(doc)));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The type generator failed");
    expect(result.stderr).toContain("no longer has /v1/model_apis/{model_api_name}, which core wraps");
    expect(state()).toEqual(before);
    expect(existsSync(join(root, "openapi/baseten/management.yaml"))).toBe(false);
  }, 90_000);

  it("refuses a spec it cannot match to one upstream, and accepts it with --target", () => {
    const doc = management();
    doc.paths["/v1/chat/completions"] = { post: { responses: { "200": { description: "" } } } };
    const text = JSON.stringify(doc, null, 2);
    const input = writeInput("both.json", text);

    const refused = update(input);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("Cannot tell which upstream spec");
    expect(read(managementFile)).toBe(managementText);

    const accepted = update(input, "--target", "management");
    expect(accepted.status).toBe(0);
    expect(read(managementFile)).toBe(text);
    expect(accepted.stdout).toContain("Generated types unchanged.");
    expect(accepted.stdout).toContain("Added: 1 path");
  }, 90_000);

  it("leaves the spec and generated types as they were when the generator fails", () => {
    const before = state();
    // Valid OpenAPI on the surface, but a dangling $ref makes generation fail.
    const broken = managementText.replace(
      '"$ref": "#/components/schemas/ModelAPIV1"',
      '"$ref": "#/components/schemas/Missing"',
    );

    const result = update(writeInput("broken.json", broken));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The type generator failed");
    expect(state()).toEqual(before);
  }, 90_000);
});
