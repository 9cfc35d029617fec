// Which component schemas requests and responses reach, so a change can be judged per direction.

type Json = Record<string, unknown>;

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const record = (value: unknown): Json => (isRecord(value) ? value : {});

/** The component schemas reachable from requests (parameters, bodies) and from responses. */
export interface Usage {
  request: Set<string>;
  response: Set<string>;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (isRecord(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
        into.add(value.slice("#/components/schemas/".length));
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

/** Where each named component schema is used in `doc`. */
export function usage(doc: Json): Usage {
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
