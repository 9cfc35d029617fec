// go-vcr v2 cassettes: parse them from text (no file system needed) and answer matching requests with the recorded bytes.
import { parse } from "yaml";

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string[]>;
}

export interface RecordedResponse {
  code: number;
  body: string;
  headers: Record<string, string[]>;
}

export interface Interaction {
  request: RecordedRequest;
  response: RecordedResponse;
}

export interface Cassette {
  /** Where the cassette came from (a file name), for error messages and logs. */
  name: string;
  interactions: Interaction[];
}

/**
 * Parses a go-vcr v2 cassette (YAML). Throws a TypeError naming the cassette and the bad field.
 * @example
 * ```ts
 * import { parseCassette } from "@baseten-edge/emulator";
 * const text = await (await fetch("https://example.com/cassettes/GenSync-Text.yaml")).text();
 * const cassette = parseCassette(text, "GenSync-Text.yaml");
 * console.log(cassette.interactions.length);
 * ```
 */
export function parseCassette(text: string, name = "cassette"): Cassette {
  const fail = (why: string): never => {
    throw new TypeError(`cassette ${name}: ${why}`);
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return fail(`not valid YAML (${(error as Error).message})`);
  }
  if (!isRecord(doc)) return fail("not a YAML mapping");
  if (doc.version !== 2) fail(`version ${JSON.stringify(doc.version)} is not supported (only go-vcr version 2)`);
  const list = doc.interactions;
  if (!Array.isArray(list)) return fail("no interactions list");
  const interactions = list.map((item: unknown, i): Interaction => {
    const where = `interactions[${i}]`;
    if (!isRecord(item) || !isRecord(item.request) || !isRecord(item.response)) {
      return fail(`${where} needs a request and a response`);
    }
    const req = item.request;
    const res = item.response;
    if (typeof req.method !== "string" || typeof req.url !== "string") fail(`${where}.request needs method and url`);
    if (typeof res.code !== "number") fail(`${where}.response.code must be a number`);
    return {
      request: {
        method: String(req.method).toUpperCase(),
        url: String(req.url),
        body: typeof req.body === "string" ? req.body : "",
        headers: headerLists(req.headers),
      },
      response: {
        code: res.code as number,
        body: typeof res.body === "string" ? res.body : "",
        headers: headerLists(res.headers),
      },
    };
  });
  return { name, interactions };
}

/**
 * Looks up recorded interactions by method, path (with query) and body; bodies match as bytes or as equal JSON.
 * Several recordings of one request are answered in order, as go-vcr does; the last one then repeats.
 */
export class ReplayIndex {
  readonly #byKey = new Map<string, { interactions: Interaction[]; next: number }>();

  constructor(cassettes: readonly Cassette[]) {
    for (const cassette of cassettes) {
      for (const interaction of cassette.interactions) {
        const { method, url, body } = interaction.request;
        const target = new URL(url);
        const key = matchKey(method, target.pathname + target.search, body);
        const entry = this.#byKey.get(key);
        if (entry) entry.interactions.push(interaction);
        else this.#byKey.set(key, { interactions: [interaction], next: 0 });
      }
    }
  }

  /** Distinct requests that have a recording. */
  get size(): number {
    return this.#byKey.size;
  }

  /** The next recorded answer to this request, or undefined when none was recorded. */
  take(method: string, pathAndQuery: string, body: string): Interaction | undefined {
    const entry = this.#byKey.get(matchKey(method.toUpperCase(), pathAndQuery, body));
    if (!entry) return undefined;
    const interaction = entry.interactions[Math.min(entry.next, entry.interactions.length - 1)];
    entry.next++;
    return interaction;
  }
}

/** The recorded answer as a Response: same status, headers and body bytes. */
export function recordedResponse(interaction: Interaction): Response {
  const { code, body, headers } = interaction.response;
  const bytes = new TextEncoder().encode(body);
  const out = new Headers();
  for (const [name, values] of Object.entries(headers)) {
    // A stale Content-Length would make HTTP servers refuse the body, so keep it only when true.
    if (name.toLowerCase() === "content-length" && values[0] !== String(bytes.byteLength)) continue;
    for (const value of values) out.append(name, value);
  }
  return new Response(code === 204 || code === 304 ? null : bytes, { status: code, headers: out });
}

function matchKey(method: string, pathAndQuery: string, body: string): string {
  return `${method} ${pathAndQuery}\n${canonicalBody(body)}`;
}

// go-vcr stores request bodies with the trailing newline Go's JSON encoder adds; compare JSON by value.
function canonicalBody(body: string): string {
  if (body.trim() === "") return "";
  try {
    return `json:${canonicalJson(JSON.parse(body))}`;
  } catch {
    return `raw:${body}`;
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function headerLists(value: unknown): Record<string, string[]> {
  if (!isRecord(value)) return {};
  const out: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(value)) {
    out[name] = Array.isArray(list) ? list.map(String) : [String(list)];
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
