// Builds a value that fits a JSON Schema, for emulated structured outputs and tool-call arguments.
import type { Random } from "../random.ts";

export interface ValueHints {
  /** Numbers found in the user's message, used first for numeric fields (so "square root of 132413" passes 132413). */
  numbers: number[];
  words: readonly string[];
}

const MAX_DEPTH = 8;
/**
 * Schema nodes one value may take. A 405-byte schema nesting `minItems: 16` arrays asks for 16^8 values;
 * past the cap the value simply stops growing (arrays and objects get no more members), as a model's
 * output stops at its token limit, instead of the request hanging or running out of memory.
 */
export const MAX_VALUE_NODES = 10_000;

interface Builder {
  root: unknown;
  random: Random;
  hints: ValueHints;
  /** Nodes still allowed; see MAX_VALUE_NODES. */
  nodesLeft: number;
}

/**
 * A value that fits `schema`, cut short (fewer array items and properties) once it reaches MAX_VALUE_NODES.
 * @example
 * ```ts
 * import { createRandom } from "../random.ts"; // internal: not exported by the package
 * import { valueForSchema } from "./json-value.ts";
 * const schema = { type: "object", properties: { n: { type: "integer" } } };
 * valueForSchema(schema, createRandom(1), { numbers: [7], words: ["a"] }); // { n: 7 }
 * ```
 */
export function valueForSchema(schema: unknown, random: Random, hints: ValueHints): unknown {
  const builder = {
    root: schema,
    random,
    hints: { numbers: [...hints.numbers], words: hints.words },
    nodesLeft: MAX_VALUE_NODES,
  };
  return build(schema, builder, 0);
}

function build(schema: unknown, b: Builder, depth: number): unknown {
  b.nodesLeft--;
  if (typeof schema !== "object" || schema === null || depth > MAX_DEPTH) return null;
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === "string") return build(resolveRef(s.$ref, b.root), b, depth + 1);
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return b.random.pick(s.enum);
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      // Prefer a branch that is not plain null, so the answer carries data.
      const branch = options.find(
        (o) => !(typeof o === "object" && o !== null && (o as Record<string, unknown>).type === "null"),
      );
      return build(branch ?? options[0], b, depth + 1);
    }
  }
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
  const type = types.find((t) => t !== "null") ?? (s.properties ? "object" : types[0]);
  return typed(type, s, b, depth);
}

function typed(type: unknown, s: Record<string, unknown>, b: Builder, depth: number): unknown {
  const { random, hints } = b;
  switch (type) {
    case "object":
      return objectFor(s, b, depth);
    case "array":
      return arrayFor(s, b, depth);
    case "integer":
    case "number": {
      const min = typeof s.minimum === "number" ? s.minimum : undefined;
      const max = typeof s.maximum === "number" ? s.maximum : undefined;
      let value = hints.numbers.shift() ?? random.int(1, 100);
      if (min !== undefined && value < min) value = min;
      if (max !== undefined && value > max) value = max;
      return type === "integer" ? Math.round(value) : value;
    }
    case "boolean":
      return random.next() < 0.5;
    case "null":
      return null;
    case "string":
      return stringFor(s.format, random, hints);
    default:
      return null;
  }
}

function objectFor(s: Record<string, unknown>, b: Builder, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  for (const [name, property] of Object.entries(properties)) {
    if (b.nodesLeft <= 0) break;
    out[name] = build(property, b, depth + 1);
  }
  return out;
}

function arrayFor(s: Record<string, unknown>, b: Builder, depth: number): unknown[] {
  const count = Math.min(Math.max(typeof s.minItems === "number" ? s.minItems : 1, 1), 16);
  const out: unknown[] = [];
  while (out.length < count && b.nodesLeft > 0) out.push(build(s.items ?? {}, b, depth + 1));
  return out;
}

function stringFor(format: unknown, random: Random, hints: ValueHints): string {
  switch (format) {
    case "date":
      return "2026-01-15";
    case "date-time":
      return "2026-01-15T12:00:00Z";
    case "email":
      return "someone@example.com";
    case "uri":
    case "url":
      return "https://example.com/";
    default:
      return `${random.pick(hints.words)} ${random.pick(hints.words)}`;
  }
}

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith("#/")) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) {
    if (typeof node !== "object" || node === null) return {};
    node = (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}
