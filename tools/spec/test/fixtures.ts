// Shared test inputs: the real upstream specs as the repository holds them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Baseten's whole management document, byte for byte. */
export const managementText = readFileSync(new URL("openapi/baseten/management.json", `file://${repoRoot}`), "utf8");

/** A fresh, mutable copy of the real management document. */
export const management = (): Spec => JSON.parse(managementText) as Spec;

/** The hand-merged excerpt of two doc pages the repository kept before the whole document (YAML). */
export const excerptText = readFileSync(new URL("fixtures/excerpt-management.yaml", import.meta.url), "utf8");
export const excerpt = (): Spec => parse(excerptText) as Spec;

/**
 * What the whole document has that the excerpt has not, counted from the two files (not copied from a
 * report), as the summary's line names it: `Added: 171 paths, 554 schemas` today.
 */
export function wholeOverExcerpt(): { paths: number; schemas: number } {
  const [before, after] = [excerpt(), management()];
  const added = (from: object, to: object) => Object.keys(to).filter((key) => !Object.hasOwn(from, key)).length;
  return {
    paths: added(before.paths, after.paths),
    schemas: added(before.components.schemas, after.components.schemas),
  };
}

/** Loose view of an OpenAPI document, enough for tests to edit one in place. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into arbitrary places of an OpenAPI document to edit them.
export type Spec = Record<string, any>;
