// Compares two OpenAPI 3.x documents and describes, for users of the generated client, what changed.
import { type Usage, usage } from "./usage.ts";

/** What kind of change a {@link SpecChange} is; the order here is the order of the report. */
export const changeKinds = [
  "path-removed",
  "operation-removed",
  "parameter-removed",
  "schema-removed",
  "property-removed",
  "type-changed",
  "enum-changed",
  "nullability-changed",
  "required-changed",
  "constraint-changed",
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
  /**
   * Where it changed: `/v1/x`, `GET /v1/x`, `GET /v1/x query limit`, `GET /v1/x → 200`, `Schema`,
   * `Schema.property`, `Schema.list[]` (array items) or `Schema.map{}` (additional properties).
   */
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

/** Keywords that only document: a change to them changes no generated type and no accepted value. */
const DOC_KEYWORDS = ["description", "summary", "title", "examples", "example", "externalDocs", "deprecated"] as const;

/** Keywords that constrain values without changing the generated type. */
const CONSTRAINTS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "default",
] as const;

const show = (value: unknown): string => (value === undefined ? "none" : (JSON.stringify(value) ?? String(value)));

/** The non-null alternatives of a schema, `anyOf`/`oneOf` flattened; `nullable` says whether null is one. */
function alternatives(schema: unknown): { members: Json[]; nullable: boolean } {
  const s = record(schema);
  const nested = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  if (nested.length > 0 && typeof s.$ref !== "string") {
    const parts = nested.map(alternatives);
    return { members: parts.flatMap((p) => p.members), nullable: s.nullable === true || parts.some((p) => p.nullable) };
  }
  const types = Array.isArray(s.type) ? s.type.map(String) : typeof s.type === "string" ? [s.type] : [];
  const enumNull = Array.isArray(s.enum) && s.enum.includes(null);
  const nullable = s.nullable === true || types.includes("null") || enumNull || ("const" in s && s.const === null);
  if (types.length === 1 && types[0] === "null") return { members: [], nullable: true };
  const rest = types.filter((t) => t !== "null");
  if (rest.length > 1) return { members: rest.map((type) => ({ ...s, type })), nullable };
  return { members: [rest.length === 1 ? { ...s, type: rest[0] } : s], nullable };
}

/** What a member is, constraints aside: the key members are matched by across the two documents. */
function shape(s: Json): string {
  if (typeof s.$ref === "string") return refName(s.$ref);
  if (Array.isArray(s.allOf)) return `allOf(${s.allOf.map((m) => shape(record(m))).join(" & ")})`;
  const type = typeof s.type === "string" ? s.type : isRecord(s.properties) ? "object" : "items" in s ? "array" : "";
  if (type === "array") return `array<${describeSchema(s.items)}>`;
  return type || ("const" in s ? typeof s.const : "enum" in s ? "enum" : "unknown");
}

/**
 * A short, order-independent description of a schema's type: `null | string`, `array<Tag>`,
 * `"A" | "B"`. Two schemas that generate the same TypeScript type describe the same (OpenAPI 3.0
 * `nullable: true` and 3.1 `type: [x, "null"]`); objects are shown as `object`, refs by name.
 */
export function describeSchema(schema: unknown): string {
  if (schema === undefined || schema === true) return "unknown";
  const { members, nullable } = alternatives(schema);
  const parts = members.flatMap((m) => (Array.isArray(m.enum) ? m.enum.map(show) : [shape(m)]));
  if (nullable) parts.push("null");
  const unique = [...new Set(parts)].sort();
  return unique.length === 0 ? "never" : unique.join(" | ");
}

/** Which readers and writers a location's schema reaches, so breakage can be judged per direction. */
interface Direction {
  request: boolean;
  response: boolean;
}

const directionOf = (name: string, used: Usage): Direction => {
  // A schema used nowhere (yet) is judged as if it were used both ways: the conservative answer.
  const request = used.request.has(name);
  const response = used.response.has(name);
  return request || response ? { request, response } : { request: true, response: true };
};

class Collector {
  readonly changes: SpecChange[] = [];
  add(kind: ChangeKind, location: string, breaking: boolean, detail: string): void {
    this.changes.push({ kind, location, breaking, detail });
  }
}

function compareDocs(location: string, old: Json, now: Json, out: Collector): void {
  const changed = DOC_KEYWORDS.filter((key) => show(old[key]) !== show(now[key]));
  if (changed.length > 0) out.add("docs-changed", location, false, `${changed.join(", ")} changed`);
}

function compareConstraints(location: string, old: Json, now: Json, out: Collector): void {
  for (const key of CONSTRAINTS) {
    if (show(old[key]) === show(now[key])) continue;
    // A default is what the server assumes when a field is left out: worth listing, not a break.
    out.add("constraint-changed", location, key !== "default", `${key} ${show(old[key])} → ${show(now[key])}`);
  }
}

function compareEnum(location: string, old: Json, now: Json, dir: Direction, out: Collector): void {
  const before = (Array.isArray(old.enum) ? old.enum : []).filter((v) => v !== null).map(show);
  const after = (Array.isArray(now.enum) ? now.enum : []).filter((v) => v !== null).map(show);
  const added = after.filter((v) => !before.includes(v));
  const removed = before.filter((v) => !after.includes(v));
  // A new value breaks readers (an exhaustive switch); a removed one breaks writers who send it.
  if (added.length > 0) out.add("enum-changed", location, dir.response, `values added: ${added.join(", ")}`);
  if (removed.length > 0) out.add("enum-changed", location, dir.request, `values removed: ${removed.join(", ")}`);
}

/** Compares two schemas found at the same place; `$ref`s are compared by name, never followed. */
function compareSchema(location: string, oldSchema: unknown, newSchema: unknown, dir: Direction, out: Collector): void {
  const old = record(oldSchema);
  const now = record(newSchema);
  compareDocs(location, old, now, out);
  const a = alternatives(old);
  const b = alternatives(now);
  if (a.nullable !== b.nullable) {
    // Null where there was none breaks readers; no more null breaks writers who send it.
    const breaking = b.nullable ? dir.response : dir.request;
    out.add("nullability-changed", location, breaking, b.nullable ? "now nullable" : "no longer nullable");
  }
  const before = new Map(a.members.map((m) => [memberKey(m), m]));
  const after = new Map(b.members.map((m) => [memberKey(m), m]));
  if (before.size !== after.size || [...before.keys()].some((key) => !after.has(key))) {
    const describe = (members: Json[]) => describeSchema({ anyOf: members }).replace(/^never$/, "null");
    out.add("type-changed", location, true, `${describe(a.members)} → ${describe(b.members)}`);
    return;
  }
  for (const [key, oldMember] of before) {
    const newMember = after.get(key) as Json;
    const where = before.size > 1 ? `${location} (${key})` : location;
    if (before.size > 1) compareDocs(where, oldMember, newMember, out);
    compareMember(where, oldMember, newMember, dir, out);
  }
}

/** Members match by their shape, enums by being an enum: their values are compared, not matched. */
const memberKey = (s: Json): string => (Array.isArray(s.enum) ? `${String(s.type ?? "")} enum` : shape(s));

function compareMember(location: string, old: Json, now: Json, dir: Direction, out: Collector): void {
  if (typeof old.$ref === "string") return; // same name: the target is compared once, under its own name
  if (Array.isArray(old.allOf) && Array.isArray(now.allOf)) {
    // Same member shapes (the key matched), so members pair up by position.
    const members: unknown[] = now.allOf;
    for (const [i, member] of old.allOf.entries()) {
      compareSchema(`${location} (allOf ${i})`, member, members[i], dir, out);
    }
  }
  compareEnum(location, old, now, dir, out);
  compareConstraints(location, old, now, out);
  if (isRecord(old.properties) || isRecord(now.properties)) compareProperties(location, old, now, dir, out);
  if (isRecord(old.items) || isRecord(now.items)) compareSchema(`${location}[]`, old.items, now.items, dir, out);
  if (isRecord(old.additionalProperties) && isRecord(now.additionalProperties)) {
    compareSchema(`${location}{}`, old.additionalProperties, now.additionalProperties, dir, out);
  } else if (show(old.additionalProperties) !== show(now.additionalProperties)) {
    const detail = `additionalProperties ${show(old.additionalProperties)} → ${show(now.additionalProperties)}`;
    out.add("type-changed", location, true, detail);
  }
}

function compareProperties(location: string, old: Json, now: Json, dir: Direction, out: Collector): void {
  const oldProps = record(old.properties);
  const newProps = record(now.properties);
  const oldRequired = new Set(Array.isArray(old.required) ? old.required : []);
  const newRequired = new Set(Array.isArray(now.required) ? now.required : []);
  for (const prop of sortedKeys(oldProps, newProps)) {
    const where = `${location}.${prop}`;
    if (!(prop in newProps)) out.add("property-removed", where, true, "removed");
    else if (!(prop in oldProps)) {
      const required = newRequired.has(prop);
      const detail = `${required ? "required" : "optional"}, ${describeSchema(newProps[prop])}`;
      // A new required field breaks callers who build this object; readers just gain a field.
      out.add("property-added", where, required && dir.request, detail);
    } else {
      compareSchema(where, oldProps[prop], newProps[prop], dir, out);
      const isRequired = newRequired.has(prop);
      if (oldRequired.has(prop) !== isRequired) {
        // Optional → required breaks senders; required → optional breaks readers (`T | undefined`).
        const breaking = isRequired ? dir.request : dir.response;
        out.add("required-changed", where, breaking, isRequired ? "now required" : "now optional");
      }
    }
  }
}

const sortedKeys = (...objects: Json[]): string[] => [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();

/** Resolves a `#/components/<section>/<name>` reference one level (parameters, responses, bodies). */
function deref(doc: Json, value: unknown): Json {
  const v = record(value);
  if (typeof v.$ref !== "string" || !v.$ref.startsWith("#/components/")) return v;
  const [section = "", name = ""] = v.$ref.slice("#/components/".length).split("/");
  return record(record(record(doc.components)[section])[name]);
}

/** Parameters of one operation by `in name`, path-level ones overridden by the operation's own. */
function parameters(doc: Json, pathItem: Json, op: Json): Map<string, Json> {
  const result = new Map<string, Json>();
  for (const raw of [pathItem.parameters, op.parameters].flatMap((list) => (Array.isArray(list) ? list : []))) {
    const p = deref(doc, raw);
    if (typeof p.name === "string" && typeof p.in === "string") result.set(`${p.in} ${p.name}`, p);
  }
  return result;
}

const REQUEST: Direction = { request: true, response: false };
const RESPONSE: Direction = { request: false, response: true };

interface Pair {
  before: Json;
  after: Json;
}

function compareParameters(where: string, oldP: Map<string, Json>, newP: Map<string, Json>, out: Collector): void {
  for (const key of [...new Set([...oldP.keys(), ...newP.keys()])].sort()) {
    const location = `${where} ${key}`;
    const old = oldP.get(key);
    const now = newP.get(key);
    const required = (p: Json) => p.required === true || p.in === "path";
    if (!now) out.add("parameter-removed", location, true, "removed");
    else if (!old) {
      const detail = `${required(now) ? "required" : "optional"}, ${describeSchema(now.schema)}`;
      out.add("parameter-added", location, required(now), detail);
    } else {
      compareDocs(location, old, now, out);
      compareSchema(location, old.schema, now.schema, REQUEST, out);
      if (required(old) !== required(now)) {
        // A parameter becoming optional cannot break a caller.
        const detail = required(now) ? "now required" : "now optional";
        out.add("required-changed", location, required(now), detail);
      }
    }
  }
}

/** The JSON schema of each media type of a body or response, keyed `status media` or `media`. */
function contentSchemas(doc: Json, node: unknown, prefix: string): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [media, value] of Object.entries(record(deref(doc, node).content))) {
    result.set(`${prefix}${media}`, record(value).schema);
  }
  return result;
}

function compareContent(
  where: string,
  before: Map<string, unknown>,
  after: Map<string, unknown>,
  dir: Direction,
  out: Collector,
) {
  for (const [key, schema] of before) {
    if (after.has(key)) compareSchema(`${where} ${key}`, schema, after.get(key), dir, out);
  }
}

function compareOperation(location: string, docs: Pair, items: Pair, ops: Pair, out: Collector): void {
  compareDocs(location, ops.before, ops.after, out);
  const oldParams = parameters(docs.before, items.before, ops.before);
  compareParameters(location, oldParams, parameters(docs.after, items.after, ops.after), out);
  const body = (doc: Json, op: Json) => contentSchemas(doc, op.requestBody, "body ");
  compareContent(location, body(docs.before, ops.before), body(docs.after, ops.after), REQUEST, out);
  const oldResponses = record(ops.before.responses);
  const newResponses = record(ops.after.responses);
  for (const status of Object.keys(oldResponses).filter((s) => s in newResponses)) {
    const before = contentSchemas(docs.before, oldResponses[status], "");
    const after = contentSchemas(docs.after, newResponses[status], "");
    compareContent(`${location} → ${status}`, before, after, RESPONSE, out);
  }
}

function diffPaths(before: Json, after: Json, out: Collector): void {
  const oldPaths = record(before.paths);
  const newPaths = record(after.paths);
  const operationsOf = (item: Json) => methods.filter((m) => isRecord(item[m]));
  const listed = (item: Json) =>
    operationsOf(item)
      .map((m) => m.toUpperCase())
      .join(", ") || "no operations";
  for (const path of sortedKeys(oldPaths, newPaths)) {
    const oldItem = record(oldPaths[path]);
    const newItem = record(newPaths[path]);
    if (!(path in newPaths)) out.add("path-removed", path, true, listed(oldItem));
    else if (!(path in oldPaths)) out.add("path-added", path, false, listed(newItem));
    else {
      for (const method of methods) {
        const location = `${method.toUpperCase()} ${path}`;
        const [oldOp, newOp] = [oldItem[method], newItem[method]];
        if (isRecord(oldOp) && !isRecord(newOp)) out.add("operation-removed", location, true, "removed");
        else if (!isRecord(oldOp) && isRecord(newOp)) out.add("operation-added", location, false, "added");
        else if (isRecord(oldOp) && isRecord(newOp)) {
          const docs = { before, after };
          compareOperation(location, docs, { before: oldItem, after: newItem }, { before: oldOp, after: newOp }, out);
        }
      }
    }
  }
}

function diffSchemas(before: Json, after: Json, out: Collector): void {
  const oldSchemas = record(record(before.components).schemas);
  const newSchemas = record(record(after.components).schemas);
  const used = usage(after);
  for (const name of sortedKeys(oldSchemas, newSchemas)) {
    if (!(name in newSchemas)) out.add("schema-removed", name, true, "removed");
    else if (!(name in oldSchemas)) out.add("schema-added", name, false, describeSchema(newSchemas[name]));
    else compareSchema(name, oldSchemas[name], newSchemas[name], directionOf(name, used), out);
  }
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
 * Lists what changed between two OpenAPI 3.x documents: paths, operations, parameters, bodies,
 * responses, component schemas and their properties, down to enum values, nullability and
 * constraints (`minimum`, `pattern`...). `$ref`s are compared by target name, never inlined, so a
 * change to a referenced schema is reported once, on that schema. Wording changes (descriptions,
 * summaries, titles, examples) are `docs-changed`; anything else that differs without a named change
 * gives one `docs-changed` entry for the document.
 *
 * @example
 * const changes = diffSpecs({ openapi: "3.1.0", paths: {} }, { openapi: "3.1.0", paths: { "/v1/x": {} } });
 * // [{ kind: "path-added", location: "/v1/x", breaking: false, detail: "no operations" }]
 */
export function diffSpecs(before: object, after: object): SpecChange[] {
  const old = record(before);
  const now = record(after);
  const out = new Collector();
  diffPaths(old, now, out);
  diffSchemas(old, now, out);
  const { changes } = out;
  if (changes.length === 0 && canonical(old) !== canonical(now)) {
    const detail = "no path, parameter or schema change; info, servers or other details differ";
    changes.push({ kind: "docs-changed", location: "(document)", breaking: false, detail });
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
