// Shared test inputs: the real upstream specs as the repository holds them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export const managementText = readFileSync(new URL("openapi/baseten/management.yaml", `file://${repoRoot}`), "utf8");

/** A fresh, mutable copy of the real management spec. */
export const management = (): Spec => parse(managementText) as Spec;

/** Loose view of an OpenAPI document, enough for tests to edit one in place. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into arbitrary places of an OpenAPI document to edit them.
export type Spec = Record<string, any>;
