// Compares two OpenAPI 3.x documents and describes, for users of the generated client, what changed.

/** What kind of change a {@link SpecChange} is; the order here is the order of the summary. */
export const changeKinds = [
  "path-removed",
  "operation-removed",
  "parameter-removed",
  "schema-removed",
  "property-removed",
  "schema-type-changed",
  "property-type-changed",
  "property-required-changed",
  "parameter-changed",
  "path-added",
  "operation-added",
  "parameter-added",
  "schema-added",
  "property-added",
  "docs-changed",
] as const;

export type ChangeKind = (typeof changeKinds)[number];

export interface SpecChange {
  kind: ChangeKind;
  /** Where it changed: `/v1/x`, `GET /v1/x`, `GET /v1/x query limit`, `Schema` or `Schema.property`. */
  location: string;
  /** Whether code written against the old types may stop compiling or working. */
  breaking: boolean;
  /** A short human description, e.g. `integer → string`. */
  detail: string;
}

export type ChangesetLevel = "major" | "minor" | "patch" | "none";

type Json = Record<string, unknown>;

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const record = (value: unknown): Json => (isRecord(value) ? value : {});

/** Last segment of a local `$ref` such as `#/components/schemas/Name`; names are compared, never inlined. */
const refName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1);

const union = (members: Iterable<string>): string => {
  // Sorting makes `anyOf` member order, and `oneOf` vs `anyOf`, irrelevant: the generated type is the same.
  const unique = [...new Set(members)].sort();
  return unique.length === 0 ? "never" : unique.join(" | ");
};

/**
 * A normalised, order-independent description of a schema's type, so that two schemas that
 * generate the same TypeScript type describe the same (e.g. OpenAPI 3.0 `nullable: true` and
 * 3.1 `type: [x, "null"]`). Descriptions are not meant to be parsed, only compared and shown.
 */
export function describeSchema(schema: unknown): string {
  return union(members(schema));
}

/** The members of the union a schema stands for; nested `anyOf`/`oneOf` flatten into one union. */
function members(schema: unknown): string[] {
  if (schema === true || schema === undefined) return ["unknown"];
  if (schema === false) return ["never"];
  const s = record(schema);
  if (typeof s.$ref === "string") return [refName(s.$ref)];

  const parts: string[] = [];
  if ("const" in s) parts.push(JSON.stringify(s.const));
  else if (Array.isArray(s.enum)) parts.push(...s.enum.map((value) => JSON.stringify(value)));
  else if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const alternatives = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
    parts.push(...alternatives.flatMap(members));
  } else if (Array.isArray(s.allOf)) {
    parts.push(`(${s.allOf.map(describeSchema).sort().join(" & ")})`);
  } else {
    const types = Array.isArray(s.type) ? s.type.map(String) : typeof s.type === "string" ? [s.type] : [];
    if (types.length === 0 && (isRecord(s.properties) || "additionalProperties" in s)) types.push("object");
    if (types.length === 0 && "items" in s) types.push("array");
    parts.push(...(types.length === 0 ? ["unknown"] : types.map((type) => describeType(type, s))));
  }
  if (s.nullable === true) parts.push("null");
  return parts;
}

function describeType(type: string, s: Json): string {
  if (type === "array") return `array<${describeSchema(s.items)}>`;
  if (type !== "object") return type;
  const properties = record(s.properties);
  const names = Object.keys(properties).sort();
  const required = new Set(Array.isArray(s.required) ? s.required : []);
  const fields = names.map((name) => `${name}${required.has(name) ? "" : "?"}: ${describeSchema(properties[name])}`);
  const extra = s.additionalProperties;
  if (isRecord(extra) || extra === true) fields.push(`[key: string]: ${describeSchema(extra)}`);
  return fields.length === 0 ? "object" : `{ ${fields.join("; ")} }`;
}

/** Where each named component schema is used, so required-ness changes can be judged per direction. */
interface Usage {
  request: Set<string>;
  response: Set<string>;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (isRecord(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
        into.add(refName(value));
      } else collectRefs(value, into);
    }
  }
}

function reachable(start: Set<string>, schemas: Json): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const refs = new Set<string>();
    collectRefs(schemas[name], refs);
    queue.push(...refs);
  }
  return seen;
}

function usage(doc: Json): Usage {
  const request = new Set<string>();
  const response = new Set<string>();
  const components = record(doc.components);
  for (const item of Object.values(record(doc.paths))) {
    const pathItem = record(item);
    collectRefs(pathItem.parameters, request);
    for (const method of methods) {
      const op = record(pathItem[method]);
      collectRefs(op.parameters, request);
      collectRefs(op.requestBody, request);
      collectRefs(op.responses, response);
    }
  }
  // Component parameters, request bodies and responses are referenced from operations by name.
  collectRefs(components.parameters, request);
  collectRefs(components.requestBodies, request);
  collectRefs(components.responses, response);
  const schemas = record(components.schemas);
  return { request: reachable(request, schemas), response: reachable(response, schemas) };
}

interface Parameter {
  key: string;
  required: boolean;
  type: string;
}

function resolveParameter(doc: Json, value: unknown): Json {
  const p = record(value);
  if (typeof p.$ref !== "string") return p;
  return record(record(record(doc.components).parameters)[refName(p.$ref)]);
}

/** Parameters of one operation by `in name`, path-level ones overridden by the operation's own. */
function parameters(doc: Json, pathItem: Json, op: Json): Map<string, Parameter> {
  const result = new Map<string, Parameter>();
  const all = [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(op.parameters) ? op.parameters : []),
  ];
  for (const raw of all) {
    const p = resolveParameter(doc, raw);
    if (typeof p.name !== "string" || typeof p.in !== "string") continue;
    const key = `${p.in} ${p.name}`;
    result.set(key, { key, required: p.required === true || p.in === "path", type: describeSchema(p.schema) });
  }
  return result;
}

const sortedKeys = (...objects: Json[]): string[] => [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();

/** Calls `onlyBefore`, `onlyAfter` or `both` for every key of two objects, in sorted order. */
function compareKeys(
  before: Json,
  after: Json,
  visit: { onlyBefore: (key: string) => void; onlyAfter: (key: string) => void; both: (key: string) => void },
): void {
  for (const key of sortedKeys(before, after)) {
    if (!(key in after)) visit.onlyBefore(key);
    else if (!(key in before)) visit.onlyAfter(key);
    else visit.both(key);
  }
}

function diffParameters(
  where: string,
  before: Map<string, Parameter>,
  after: Map<string, Parameter>,
  out: SpecChange[],
): void {
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const location = `${where} ${key}`;
    const old = before.get(key);
    const now = after.get(key);
    if (!now) {
      out.push({ kind: "parameter-removed", location, breaking: true, detail: "removed" });
    } else if (!old) {
      const detail = `${now.required ? "required" : "optional"}, ${now.type}`;
      out.push({ kind: "parameter-added", location, breaking: now.required, detail });
    } else {
      const details: string[] = [];
      if (old.type !== now.type) details.push(`${old.type} → ${now.type}`);
      if (old.required !== now.required) details.push(now.required ? "now required" : "now optional");
      if (details.length > 0) {
        // A parameter becoming optional is the only change here that cannot break a caller.
        const breaking = old.type !== now.type || now.required;
        out.push({ kind: "parameter-changed", location, breaking, detail: details.join("; ") });
      }
    }
  }
}

function diffPaths(before: Json, after: Json, out: SpecChange[]): void {
  const oldPaths = record(before.paths);
  const newPaths = record(after.paths);
  const operationsOf = (item: Json) => methods.filter((m) => isRecord(item[m]));
  const listed = (item: Json) =>
    operationsOf(item)
      .map((m) => m.toUpperCase())
      .join(", ") || "no operations";
  compareKeys(oldPaths, newPaths, {
    onlyBefore: (path) =>
      out.push({ kind: "path-removed", location: path, breaking: true, detail: listed(record(oldPaths[path])) }),
    onlyAfter: (path) =>
      out.push({ kind: "path-added", location: path, breaking: false, detail: listed(record(newPaths[path])) }),
    both: (path) => {
      const oldItem = record(oldPaths[path]);
      const newItem = record(newPaths[path]);
      for (const method of methods) {
        const location = `${method.toUpperCase()} ${path}`;
        const oldOp = oldItem[method];
        const newOp = newItem[method];
        if (isRecord(oldOp) && !isRecord(newOp)) {
          out.push({ kind: "operation-removed", location, breaking: true, detail: "removed" });
        } else if (!isRecord(oldOp) && isRecord(newOp)) {
          out.push({ kind: "operation-added", location, breaking: false, detail: "added" });
        } else if (isRecord(oldOp) && isRecord(newOp)) {
          diffParameters(location, parameters(before, oldItem, oldOp), parameters(after, newItem, newOp), out);
        }
      }
    },
  });
}

function diffProperties(name: string, old: Json, now: Json, used: Usage, out: SpecChange[]): void {
  const oldProps = record(old.properties);
  const newProps = record(now.properties);
  const oldRequired = new Set(Array.isArray(old.required) ? old.required : []);
  const newRequired = new Set(Array.isArray(now.required) ? now.required : []);
  // A schema used nowhere (yet) is judged as if it were used both ways: the conservative answer.
  const inRequests = used.request.has(name) || !used.response.has(name);
  const inResponses = used.response.has(name) || !used.request.has(name);
  compareKeys(oldProps, newProps, {
    onlyBefore: (prop) =>
      out.push({ kind: "property-removed", location: `${name}.${prop}`, breaking: true, detail: "removed" }),
    onlyAfter: (prop) => {
      const required = newRequired.has(prop);
      const detail = `${required ? "required" : "optional"}, ${describeSchema(newProps[prop])}`;
      // A new required field breaks callers who build this object; readers just gain a field.
      const breaking = required && inRequests;
      out.push({ kind: "property-added", location: `${name}.${prop}`, breaking, detail });
    },
    both: (prop) => {
      const location = `${name}.${prop}`;
      const oldType = describeSchema(oldProps[prop]);
      const newType = describeSchema(newProps[prop]);
      if (oldType !== newType) {
        out.push({ kind: "property-type-changed", location, breaking: true, detail: `${oldType} → ${newType}` });
      }
      const wasRequired = oldRequired.has(prop);
      const isRequired = newRequired.has(prop);
      if (wasRequired !== isRequired) {
        // Optional → required breaks senders; required → optional breaks readers (`T | undefined`).
        const breaking = isRequired ? inRequests : inResponses;
        const detail = isRequired ? "now required" : "now optional";
        out.push({ kind: "property-required-changed", location, breaking, detail });
      }
    },
  });
}

function diffSchemas(before: Json, after: Json, out: SpecChange[]): void {
  const oldSchemas = record(record(before.components).schemas);
  const newSchemas = record(record(after.components).schemas);
  const used = usage(after);
  compareKeys(oldSchemas, newSchemas, {
    onlyBefore: (name) => out.push({ kind: "schema-removed", location: name, breaking: true, detail: "removed" }),
    onlyAfter: (name) =>
      out.push({ kind: "schema-added", location: name, breaking: false, detail: describeSchema(newSchemas[name]) }),
    both: (name) => {
      const old = record(oldSchemas[name]);
      const now = record(newSchemas[name]);
      if (isRecord(old.properties) && isRecord(now.properties)) {
        diffProperties(name, old, now, used, out);
        return;
      }
      const oldType = describeSchema(old);
      const newType = describeSchema(now);
      if (oldType !== newType) {
        out.push({ kind: "schema-type-changed", location: name, breaking: true, detail: `${oldType} → ${newType}` });
      }
    },
  });
}

/** JSON with sorted keys, so key order alone never counts as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Lists what changed between two OpenAPI 3.x documents: paths, operations, parameters,
 * component schemas and their properties. `$ref`s are compared by target name, never inlined,
 * so a change to a referenced schema is reported once, on that schema. When nothing structural
 * changed but the documents still differ, a single `docs-changed` entry says so.
 *
 * @example
 * const changes = diffSpecs({ openapi: "3.1.0", paths: {} }, { openapi: "3.1.0", paths: { "/v1/x": {} } });
 * // [{ kind: "path-added", location: "/v1/x", breaking: false, detail: "no operations" }]
 */
export function diffSpecs(before: object, after: object): SpecChange[] {
  const old = record(before);
  const now = record(after);
  const changes: SpecChange[] = [];
  diffPaths(old, now, changes);
  diffSchemas(old, now, changes);
  if (changes.length === 0 && canonical(old) !== canonical(now)) {
    changes.push({
      kind: "docs-changed",
      location: "(document)",
      breaking: false,
      detail: "no path, parameter or schema change; descriptions, examples or other details differ",
    });
  }
  const rank = (kind: ChangeKind) => changeKinds.indexOf(kind);
  return changes.sort(
    (a, b) => rank(a.kind) - rank(b.kind) || (a.location < b.location ? -1 : a.location > b.location ? 1 : 0),
  );
}

/**
 * The changeset level the changes call for: anything breaking → `major` (read it as `minor`
 * while the package is 0.x), only additions → `minor`, only docs → `patch`, nothing → `none`.
 *
 * @example
 * suggestLevel([]); // "none"
 */
export function suggestLevel(changes: readonly SpecChange[]): ChangesetLevel {
  if (changes.some((c) => c.breaking)) return "major";
  if (changes.some((c) => c.kind !== "docs-changed")) return "minor";
  return changes.length > 0 ? "patch" : "none";
}

const headings: Record<ChangeKind, string> = {
  "path-removed": "Paths removed",
  "operation-removed": "Operations removed",
  "parameter-removed": "Parameters removed",
  "schema-removed": "Schemas removed",
  "property-removed": "Properties removed",
  "schema-type-changed": "Schema types changed",
  "property-type-changed": "Property types changed",
  "property-required-changed": "Property required-ness changed",
  "parameter-changed": "Parameters changed",
  "path-added": "Paths added",
  "operation-added": "Operations added",
  "parameter-added": "Parameters added",
  "schema-added": "Schemas added",
  "property-added": "Properties added",
  "docs-changed": "Documentation",
};

/**
 * A short markdown summary of `changes`, grouped by kind, with the suggested changeset level.
 *
 * @example
 * formatSummary([]); // "No API changes."
 */
export function formatSummary(changes: readonly SpecChange[]): string {
  if (changes.length === 0) return "No API changes.";
  const level = suggestLevel(changes);
  const breaking = changes.filter((c) => c.breaking).length;
  const why =
    level === "major"
      ? `${breaking} breaking change${breaking === 1 ? "" : "s"}; \`minor\` while the package is 0.x`
      : level === "minor"
        ? "additions only"
        : "documentation only";
  const lines = [`Suggested changeset level: **${level}** (${why})`];
  for (const kind of changeKinds) {
    const group = changes.filter((c) => c.kind === kind);
    if (group.length === 0) continue;
    lines.push("", `### ${headings[kind]}`);
    for (const c of group) {
      lines.push(`- \`${c.location}\`: ${c.detail}${c.breaking ? " — **breaking**" : ""}`);
    }
  }
  return lines.join("\n");
}
