// Reading and checking a relayed request: bounded body, JSON shape, model; refusals in the caller's protocol.
import { BodyRejected, type ScannedBody, scanJsonBody } from "./limits.ts";
import type { RouteSpec } from "./relay.ts";

/** A request the relay answers itself (status, message and the protocol's error code). */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    /** Extra answer headers (`Retry-After`, rate-limit headers). */
    readonly headers?: Headers,
  ) {
    super(message);
  }

  /** The refusal as an answer in the route's protocol. */
  answer(protocol: { error(status: number, message: string, code?: string): Response }): Response {
    const response = protocol.error(this.status, this.message, this.code);
    for (const [name, value] of this.headers ?? []) response.headers.set(name, value);
    return response;
  }
}

/**
 * A body that stops arriving (the client closed the connection mid-upload) is the client's doing:
 * answered and logged as 499, like a client that leaves while Baseten thinks, not as a gateway error.
 */
export function uploadBroke(thrown: unknown): never {
  if (thrown instanceof Refusal) throw thrown;
  throw new Refusal(499, "The client closed the request before its body arrived.", "client_closed_request");
}

/** Reads the body up to `limit` bytes; a larger one is refused without being read to the end. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new Refusal(415, "Send the request body as JSON, with `Content-Type: application/json`.");
  }
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  const tooLarge = () => new Refusal(413, `The request body is larger than ${limit} bytes.`);
  if (declared > limit) throw tooLarge();
  if (!request.body) throw new Refusal(400, "The request has no body.");
  // A declared length within the limit bounds what arrives (HTTP framing): read it in one native
  // call. An in-process caller's Request is not framed, so the size is checked again after.
  if (declared >= 0 && !request.headers.has("transfer-encoding")) {
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.byteLength > limit) throw tooLarge();
    return body;
  }
  return readChunks(request.body, limit, tooLarge);
}

/** Reads a body of unknown length chunk by chunk, refusing it as soon as it passes `limit`. */
async function readChunks(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  tooLarge: () => Refusal,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(value);
  }
  // One chunk (a body handed over whole, as in-process callers and small uploads do) is used as it
  // is: copying 10 MB again costs milliseconds and garbage.
  if (parts.length === 1) return parts[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}

/** Top-level fields that bound a request's output tokens (chat, Anthropic, Responses), first found wins. */
const OUTPUT_BOUNDS = ["max_completion_tokens", "max_tokens", "max_output_tokens"];

/** The top-level keys scanned for each route (one array per route, so the scanner encodes them once). */
const keysByRoute = new WeakMap<RouteSpec, readonly string[]>();

function scannedKeys(route: RouteSpec): readonly string[] {
  let keys = keysByRoute.get(route);
  if (!keys) {
    keys = [...route.arrays, ...OUTPUT_BOUNDS];
    keysByRoute.set(route, keys);
  }
  return keys;
}

/** What `checkBody` found: the model, where its JSON string lies, and the output bound asked for. */
export interface CheckedBody {
  model: string;
  /** The top-level `model` string's bytes in the body, quotes included: [modelStart, modelEnd). */
  modelStart: number;
  modelEnd: number;
  /** The output bound the body asks for (`max_tokens` &c.), for the limits' worst case. */
  maxTokens: number | undefined;
}

/**
 * Checks the JSON body's shape without parsing it whole (see limits.ts); returns its model (and
 * where it lies) and the output bound it asks for (the limits' worst case), if any.
 */
export function checkBody(bytes: Uint8Array, route: RouteSpec): CheckedBody {
  let scanned: ScannedBody;
  try {
    scanned = scanJsonBody(bytes, scannedKeys(route));
  } catch (thrown) {
    if (thrown instanceof BodyRejected) throw new Refusal(thrown.status, thrown.message);
    throw thrown;
  }
  const { model, modelStart, modelEnd } = scanned;
  if (model === undefined || model.trim() === "")
    throw new Refusal(400, '`model` is required: a model id such as "openai/gpt-oss-120b".');
  for (const name of route.arrays) {
    if (scanned.kinds.get(name) !== "array") throw new Refusal(400, `\`${name}\` is required and must be an array.`);
  }
  const bound = OUTPUT_BOUNDS.map((name) => scanned.numbers.get(name)).find((n) => n !== undefined && n >= 0);
  return { model, modelStart, modelEnd, maxTokens: bound === undefined ? undefined : Math.ceil(bound) };
}

const encoder = new TextEncoder();

/**
 * The body with its top-level `model` set to the inference id a catalog name stands for (the only
 * rewrite the relay makes): the bytes of that one string are replaced, every other byte is the
 * client's (a re-serialised body would round big integers, turn `1e400` into `null` and `1.0` into
 * `1`, and collapse duplicate keys). The scan refused a body with more than one `model`.
 */
export function withModel(bytes: Uint8Array, at: Pick<CheckedBody, "modelStart" | "modelEnd">, id: string): Uint8Array {
  const value = encoder.encode(JSON.stringify(id));
  const { modelStart: start, modelEnd: end } = at;
  const out = new Uint8Array(bytes.length - (end - start) + value.length);
  out.set(bytes.subarray(0, start));
  out.set(value, start);
  out.set(bytes.subarray(end), start + value.length);
  return out;
}
