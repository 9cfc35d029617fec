// End-to-end behaviour of `spec:update`, run as users run it, against a throwaway copy of the repository.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { managementText, repoRoot } from "./fixtures.ts";

const cli = fileURLToPath(new URL("../src/update.ts", import.meta.url));
const managementFile = "openapi/baseten/management.yaml";
const inferenceFile = "openapi/baseten/inference.json";
const generatedManagement = "packages/core/src/generated/management.ts";

let root: string;

/** Copies just what update.ts and the real generator touch; the generator finds openapi-typescript via a symlink. */
function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "spec-update-"));
  for (const path of [
    "openapi/baseten",
    "packages/core/scripts/generate.ts",
    "packages/core/src/generated",
    "packages/core/package.json",
  ]) {
    cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  }
  symlinkSync(join(repoRoot, "packages/core/node_modules"), join(dir, "packages/core/node_modules"), "dir");
  return dir;
}

function update(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args, "--root", root], { encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const read = (path: string) => readFileSync(join(root, path), "utf8");

/** The real spec with `context_length` turned from an integer into a string, edited as text so bytes stay exact. */
const contextLengthAsString = managementText.replace(
  "title: Context Length\n          type: integer",
  "title: Context Length\n          type: string",
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
  it("replaces the management spec verbatim, regenerates its types and prints what changed", () => {
    expect(contextLengthAsString).not.toBe(managementText);
    const inferenceBefore = read(inferenceFile);
    expect(read(generatedManagement)).toMatch(/context_length: number;/);

    const result = update(writeInput("new.yaml", contextLengthAsString));

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(read(managementFile)).toBe(contextLengthAsString);
    expect(read(inferenceFile)).toBe(inferenceBefore);
    expect(read(generatedManagement)).toMatch(/context_length: string;/);
    expect(result.stdout).toContain(`Generated types changed: ${generatedManagement}\n`);
    expect(result.stdout).toContain("- `ModelAPIV1.context_length`: integer → string — **breaking**");
    expect(result.stdout).toContain("Suggested changeset level: **major**");
  }, 60_000);

  it("reads the new spec from an http URL", async () => {
    const server = createServer((_req, res) => res.end(contextLengthAsString));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as AddressInfo;
      // spawnSync would block the server in this process, so run the CLI asynchronously.
      const child = spawn(process.execPath, [cli, `http://127.0.0.1:${port}/management.yaml`, "--root", root]);
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      const status = await new Promise<number | null>((done) => child.on("close", done));

      expect(status).toBe(0);
      expect(read(managementFile)).toBe(contextLengthAsString);
      expect(stdout).toContain("`ModelAPIV1.context_length`: integer → string");
    } finally {
      server.close();
    }
  }, 60_000);

  it("refuses a file that is not an OpenAPI 3.x document and writes nothing", () => {
    const before = { spec: read(managementFile), generated: read(generatedManagement) };

    const result = update(writeInput("swagger.yaml", "swagger: '2.0'\npaths:\n  /v1/model_apis: {}\n"));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is not an OpenAPI 3.x document (found Swagger 2.0)");
    expect(result.stdout).toBe("");
    expect({ spec: read(managementFile), generated: read(generatedManagement) }).toEqual(before);
  });

  it("refuses a YAML file that has no openapi field", () => {
    const result = update(writeInput("config.yaml", "name: not-a-spec\npaths:\n  /v1/model_apis: {}\n"));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is not an OpenAPI 3.x document (found no `openapi` field)");
    expect(read(managementFile)).toBe(managementText);
  });

  it("refuses a spec whose format differs from the one it would replace", () => {
    const asJson = JSON.stringify({ openapi: "3.1.0", info: {}, paths: { "/v1/model_apis": {} } });

    const result = update(writeInput("management.json", asJson));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`is JSON but ${managementFile} is YAML`);
    expect(read(managementFile)).toBe(managementText);
  });

  it("refuses a spec it cannot match to an upstream, and accepts it with --target", () => {
    const unknown = contextLengthAsString.replaceAll("/v1/model_apis", "/v2/models");
    const input = writeInput("unknown.yaml", unknown);

    const refused = update(input);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("Cannot tell which upstream spec");
    expect(read(managementFile)).toBe(managementText);

    const accepted = update(input, "--target", "management");
    expect(accepted.status).toBe(0);
    expect(read(managementFile)).toBe(unknown);
    expect(accepted.stdout).toContain("### Paths removed");
  }, 60_000);

  it("leaves the spec and generated types as they were when the generator fails", () => {
    const before = { spec: read(managementFile), generated: read(generatedManagement) };
    // Valid OpenAPI on the surface, but a dangling $ref makes openapi-typescript fail.
    const broken = contextLengthAsString.replace(
      "$ref: '#/components/schemas/ModelAPIV1'",
      "$ref: '#/components/schemas/Missing'",
    );

    const result = update(writeInput("broken.yaml", broken));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The type generator failed");
    expect({ spec: read(managementFile), generated: read(generatedManagement) }).toEqual(before);
  }, 60_000);
});
