// Shared test helpers: authorised requests, SSE parsing, cassette loading and the management schema validator.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { Emulator } from "../src/index.ts";

export const KEY = "emulator-key";
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** Baseten's whole management document, byte for byte as Baseten publishes it. */
export const MANAGEMENT_SPEC = fileURLToPath(new URL("../../../openapi/baseten/management.json", import.meta.url));

export function bearer(key = KEY): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export function get(emulator: Emulator, path: string, headers: Record<string, string> = bearer()): Promise<Response> {
  return emulator.fetch(`http://emulator.test${path}`, { headers });
}

export function post(
  emulator: Emulator,
  path: string,
  body: unknown,
  headers: Record<string, string> = bearer(),
): Promise<Response> {
  return emulator.fetch(`http://emulator.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The `data:` payloads of an OpenAI-style SSE body, `[DONE]` included. */
export function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .filter((block) => block !== "")
    .map((block) => {
      if (!block.startsWith("data: ")) throw new Error(`not a data event: ${block.slice(0, 80)}`);
      return block.slice("data: ".length);
    });
}

/** Named SSE events (Anthropic style) as {event, data}. */
export function sseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split("\n\n")
    .filter((block) => block !== "")
    .map((block) => {
      const match = /^event: (\S+)\ndata: (.*)$/s.exec(block);
      if (!match) throw new Error(`not a named event: ${block.slice(0, 80)}`);
      return { event: match[1] ?? "", data: JSON.parse(match[2] ?? "") as Record<string, unknown> };
    });
}

/**
 * JSON text of a content list whose `tool_result` blocks nest `depth` deep. Built as text, since
 * JSON.stringify itself overflows the stack on deep values.
 */
export function nestedToolResults(depth: number): string {
  return `${'[{"type":"tool_result","content":'.repeat(depth)}"deep"${"}]".repeat(depth)}`;
}

export const CHAT = {
  model: "deepseek-ai/DeepSeek-V4-Pro",
  messages: [{ role: "user", content: "Say hello. Use only one word." }],
};

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

export interface ManagementValidators {
  page: Validate;
  model: Validate;
  /** The validator of any component schema, by name. */
  schema(name: string): Validate;
  /** Every component schema's name. */
  names: string[];
}

/**
 * Ajv validators for the management document's component schemas (OpenAPI 3.1 = JSON Schema 2020-12).
 * Strict mode stays on, so a schema Ajv would silently misread fails instead; OpenAPI's own annotation
 * keywords (`example`, `discriminator`, `xml`, `externalDocs`) and the document's `x-` extensions are
 * declared as annotations: `discriminator` only names the property, the `oneOf` beside it does the validating.
 */
export async function managementValidators(): Promise<ManagementValidators> {
  const spec = JSON.parse(await readFile(MANAGEMENT_SPEC, "utf8")) as {
    components: { schemas: Record<string, unknown> };
  };
  const text = JSON.stringify(spec.components.schemas);
  const defs = JSON.parse(text.replaceAll("#/components/schemas/", "#/$defs/")) as Record<string, unknown>;
  const extensions = new Set<string>();
  JSON.parse(text, (key, value: unknown) => {
    if (key.startsWith("x-")) extensions.add(key);
    return value;
  });
  const Ajv2020 = interop(Ajv2020Module as unknown as { default: typeof Ajv2020Module.default });
  const addFormats = interop(addFormatsModule as unknown as { default: typeof addFormatsModule.default });
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(["example", "discriminator", "xml", "externalDocs", ...extensions]);
  ajv.addSchema({ $id: "https://emulator.test/management", $defs: defs });
  const schema = (name: string): Validate => {
    const validate = ajv.getSchema(`https://emulator.test/management#/$defs/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate as Validate;
  };
  return { page: schema("ModelAPIsResponseV1"), model: schema("ModelAPIV1"), schema, names: Object.keys(defs) };
}

// ajv ships CommonJS; depending on the loader the class is the module or its `default`.
function interop<T>(module: { default: T }): T {
  return (module.default ?? module) as T;
}
