// JSON written the way Python's json.dumps writes it (", " and ": " separators, ASCII-only), as Baseten's /v1/models does.

/** Serialises `value` byte-for-byte like Python's `json.dumps(value)` with default arguments. */
export function pythonJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  switch (typeof value) {
    case "string":
      return asciiOnly(JSON.stringify(value));
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      return `{${entries.map(([k, v]) => `${asciiOnly(JSON.stringify(k))}: ${pythonJson(v)}`).join(", ")}}`;
    }
    default:
      throw new TypeError(`pythonJson cannot encode a ${typeof value}`);
  }
}

// Python escapes every non-ASCII UTF-16 unit as \uXXXX (ensure_ascii=True).
function asciiOnly(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
