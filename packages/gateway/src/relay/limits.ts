// A cheap, single-pass check of a relayed JSON body: grammar, UTF-8, nesting depth, and the
// top-level fields the relay needs, without building any objects. `JSON.parse` of a hostile 10 MB
// body costs 0.1–2 s (millions of tiny arrays or objects); this scan costs tens of milliseconds
// whatever the shape, because it allocates nothing per value.

/**
 * Deepest nesting of arrays and objects accepted in a relayed body. Real requests stay far below:
 * a chat request is 4 levels deep before any content, a tool's JSON Schema adds 2 per nested
 * property, so a schema 40 properties deep still fits; attackers need millions to hurt.
 */
export const MAX_JSON_DEPTH = 128;
/**
 * Most JSON values (roughly: commas, arrays and objects) in a relayed body. Checking grammar costs
 * per value, so this is what bounds the CPU of a wide hostile body (millions of `{}` or `0`); a
 * long real conversation with tools has tens of thousands, and big content is strings.
 */
export const MAX_JSON_VALUES = 250_000;
/** Longest `model` accepted (in characters); real model ids are under 100. */
export const MAX_MODEL_LENGTH = 256;

/** What the relay needs to know about a body that passed the scan. */
export interface ScannedBody {
  /** The top-level `model`, when it is a string (decoded); `undefined` when absent or another type. */
  model: string | undefined;
  /**
   * Where that `model` string lies in the body, quotes included: bytes [modelStart, modelEnd), so a
   * rename can replace exactly those (-1 when `model` is undefined).
   */
  modelStart: number;
  modelEnd: number;
  /** The JSON type of each wanted top-level member (a body that repeats one is refused). */
  kinds: Map<string, JsonKind>;
  /** The value of each wanted top-level member that is a number (`max_tokens`, for the limits' reservation). */
  numbers: Map<string, number>;
}

export type JsonKind = "object" | "array" | "string" | "number" | "boolean" | "null";

/** Why a body was refused: `status` 400 or 413, and a message that echoes nothing of the body. */
export class BodyRejected extends Error {
  override name = "BodyRejected";
  readonly status: 400 | 413;
  constructor(message: string, status: 400 | 413 = 400) {
    super(message);
    this.status = status;
  }
}

// Byte values, named.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Scans `bytes` as one JSON object, noting the kinds of `model` and of the top-level `keys`.
 * Throws `BodyRejected` for anything `JSON.parse` (after a strict UTF-8 decode) would refuse, for
 * nesting beyond `maxDepth` or more than `MAX_JSON_VALUES` values (413), and for a top-level value
 * other than an object.
 */
export function scanJsonBody(bytes: Uint8Array, keys: readonly string[] = [], maxDepth = MAX_JSON_DEPTH): ScannedBody {
  // First the cheap pass that bounds depth and width, so the grammar pass runs only on bounded input.
  measure(bytes, maxDepth, MAX_JSON_VALUES);
  return scan(bytes, wantedKeys(keys), maxDepth);
}

/** A wanted top-level key, as its UTF-8 bytes and its name. */
interface Wanted {
  bytes: Uint8Array;
  name: string;
}

const encoder = new TextEncoder();
// ignoreBOM: a model that starts with U+FEFF keeps it, as JSON.parse would.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
/** Encoded once per keys array: the relay scans every body with the same few arrays. */
const encodedKeys = new WeakMap<readonly string[], readonly Wanted[]>();

function wantedKeys(keys: readonly string[]): readonly Wanted[] {
  let wanted = encodedKeys.get(keys);
  if (!wanted) {
    wanted = ["model", ...keys].map((name) => ({ bytes: encoder.encode(name), name }));
    encodedKeys.set(keys, wanted);
  }
  return wanted;
}

/**
 * Counts nesting and values outside strings, stopping at the first limit crossed. Strings are
 * skipped with `indexOf` (memchr), so this costs about a millisecond per megabyte whatever the shape.
 */
function measure(b: Uint8Array, maxDepth: number, maxValues: number): void {
  const n = b.length;
  let depth = 0;
  let values = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    if (c === QUOTE) {
      i = closingQuote(b, i);
      if (i < 0) return; // unterminated: the grammar pass says so
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) throw new BodyRejected(`The request body nests deeper than ${maxDepth} levels.`);
      if (++values > maxValues) tooManyValues(maxValues);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA && ++values > maxValues) {
      tooManyValues(maxValues);
    }
  }
}

/** The index of the quote closing the string opened at `open` (one not escaped), or -1. */
function closingQuote(b: Uint8Array, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = b.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (b[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

function tooManyValues(max: number): never {
  throw new BodyRejected(`The request body has more than ${max} JSON values.`, 413);
}

/** What the scanner expects next. */
const VALUE = 0;
const AFTER_VALUE = 1;
const KEY = 2;
const IN_OBJECT = 1;
const IN_ARRAY = 2;

/**
 * The scan itself: one loop with an explicit stack instead of recursion, so a deep body cannot
 * overflow the call stack and a wide one costs no call per value.
 */
function scan(b: Uint8Array, wanted: readonly Wanted[], maxDepth: number, objectOnly = true): ScannedBody {
  const n = b.length;
  const stack = new Uint8Array(maxDepth + 1);
  const words = wordsOf(b);
  const top: ScannedBody = { model: undefined, modelStart: -1, modelEnd: -1, kinds: new Map(), numbers: new Map() };
  let depth = 0;
  let mode = VALUE;
  let i = at(b, 0) === 0xef && at(b, 1) === 0xbb && at(b, 2) === 0xbf ? 3 : 0; // a BOM is skipped, as TextDecoder does
  let keyStart = -1; // the current top-level member's key, as bytes [keyStart, keyEnd)
  let keyEnd = -1;
  let valueStart = -1;
  for (;;) {
    const tokenEnd = i; // after a value, where it ends: the space that follows is not part of it
    i = skipSpace(b, i);
    const c = at(b, i);
    if (mode === KEY) {
      if (c !== QUOTE) invalid();
      const end = stringEnd(b, i, words);
      if (depth === 1) [keyStart, keyEnd] = [i + 1, end - 1];
      i = skipSpace(b, end);
      if (at(b, i++) !== COLON) invalid();
      mode = VALUE;
    } else if (mode === VALUE) {
      if (depth === 0 && c !== OPEN_BRACE && objectOnly) notAnObject(b);
      if (depth === 1) valueStart = i;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > maxDepth) throw new BodyRejected(`The request body nests deeper than ${maxDepth} levels.`);
        stack[depth] = c === OPEN_BRACE ? IN_OBJECT : IN_ARRAY;
        i = skipSpace(b, i + 1);
        const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        if (at(b, i) === close) {
          i++;
          depth--;
          mode = AFTER_VALUE;
        } else mode = c === OPEN_BRACE ? KEY : VALUE;
        continue;
      }
      i = c === QUOTE ? stringEnd(b, i, words) : scalarEnd(b, i);
      mode = AFTER_VALUE;
    } else {
      if (depth === 1 && keyStart >= 0) {
        member(top, wanted, b, keyStart, keyEnd, valueStart, tokenEnd);
        keyStart = -1;
      }
      if (depth === 0) {
        if (i !== n) invalid();
        return top;
      }
      i++;
      if (c === COMMA) mode = stack[depth] === IN_OBJECT ? KEY : VALUE;
      else if ((c === CLOSE_BRACE && stack[depth] === IN_OBJECT) || (c === CLOSE_BRACKET && stack[depth] === IN_ARRAY))
        depth--;
      else invalid();
    }
  }
}

/** Records a top-level member the relay cares about; other keys are never decoded. */
function member(
  top: ScannedBody,
  wanted: readonly Wanted[],
  b: Uint8Array,
  keyStart: number,
  keyEnd: number,
  start: number,
  end: number,
): void {
  const name = wantedName(wanted, b, keyStart, keyEnd);
  if (name === undefined) return;
  // Parsers differ on a repeated key (JSON.parse keeps the last, others the first or refuse it): the
  // relay would check one value and Baseten might use another, so a key the relay reads comes once.
  if (top.kinds.has(name)) throw new BodyRejected(`The request body has more than one ${JSON.stringify(name)} member.`);
  const kind = kindOf(b[start] as number);
  top.kinds.set(name, kind);
  if (kind === "number") top.numbers.set(name, Number(decoder.decode(b.subarray(start, end))));
  // Each member comes once (above): nothing recorded earlier needs undoing.
  if (name !== "model" || kind !== "string") return;
  // An escape spells a character in at most 6 bytes; anything longer is refused undecoded.
  if (end - start > MAX_MODEL_LENGTH * 6 + 2) throw modelTooLong();
  // Without escapes the string's bytes are its text (the scan checked them); with any, JSON decodes them.
  const inner = b.subarray(start + 1, end - 1);
  const model = inner.includes(BACKSLASH)
    ? (JSON.parse(decoder.decode(b.subarray(start, end))) as string)
    : decoder.decode(inner);
  if (model.length > MAX_MODEL_LENGTH) throw modelTooLong();
  top.model = model;
  top.modelStart = start;
  top.modelEnd = end;
}

/**
 * The wanted key spelled by the bytes [keyStart, keyEnd), if any. An escaped key (`"mod\u0065l"`) is
 * decoded first: it names the same member for Baseten's parser, so it must for the checks too.
 */
function wantedName(wanted: readonly Wanted[], b: Uint8Array, keyStart: number, keyEnd: number): string | undefined {
  const length = keyEnd - keyStart;
  search: for (const { bytes, name } of wanted) {
    if (bytes.length !== length) continue;
    for (let j = 0; j < length; j++) if (b[keyStart + j] !== bytes[j]) continue search;
    return name;
  }
  let escaped = false;
  for (let j = keyStart; j < keyEnd && !escaped; j++) escaped = b[j] === BACKSLASH;
  if (!escaped) return undefined;
  const key = JSON.parse(decoder.decode(b.subarray(keyStart - 1, keyEnd + 1))) as string;
  return wanted.find(({ name }) => name === key)?.name;
}

function kindOf(first: number): JsonKind {
  if (first === OPEN_BRACE) return "object";
  if (first === OPEN_BRACKET) return "array";
  if (first === QUOTE) return "string";
  if (first === 0x74 || first === 0x66) return "boolean";
  if (first === 0x6e) return "null";
  return "number";
}

/** A top-level value that is not an object: still told apart from invalid JSON, for the clearer message. */
function notAnObject(b: Uint8Array): never {
  scan(b, [], MAX_JSON_DEPTH, false); // throws when it is not JSON at all
  throw new BodyRejected("The request body must be a JSON object.");
}

function skipSpace(b: Uint8Array, start: number): number {
  const n = b.length;
  let i = start;
  while (i < n) {
    const c = b[i] as number;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** The byte at `i`, or -1 past the end: reads stay in bounds, which keeps V8's optimised loop fast. */
function at(b: Uint8Array, i: number): number {
  return i < b.length ? (b[i] as number) : -1;
}

/** Bytes that may follow a backslash on their own: `" \\ / b f n r t`. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

/** A string from its opening quote; returns the index after the closing one. Checks escapes and UTF-8. */
function stringEnd(b: Uint8Array, start: number, words: Words): number {
  const n = b.length;
  let i = start + 1;
  for (;;) {
    i = plainEnd(b, i, words);
    if (i >= n) invalid();
    const c = b[i] as number;
    if (c === QUOTE) return i + 1;
    if (c < 0x20) invalid();
    // Runs of multi-byte characters, and of escapes (`\n\n…`, `\u0041…`), stay in their own loops.
    if (c >= 0x80) {
      do i = utf8(b, i);
      while (i < n && (b[i] as number) >= 0x80);
    } else {
      for (;;) {
        while (i + 1 < n && b[i] === BACKSLASH && SIMPLE_ESCAPE[b[i + 1] as number] === 1) i += 2;
        if (i < n && b[i] === BACKSLASH) i = escapeEnd(b, i + 1);
        else break;
      }
    }
  }
}

/** The first byte from `i` that is not plain (printable ASCII, not `"` or `\\`), or the end. */
function plainEnd(b: Uint8Array, start: number, words: Words): number {
  const n = b.length;
  let i = start;
  // A short run byte by byte; a long one (past 16 bytes) four bytes at a time.
  const stop = Math.min(n, i + 16);
  for (; i < stop; i++) if (!isPlain(b[i] as number)) return i;
  if (i < n) i = plainWordsEnd(b, i, words);
  for (; i < n; i++) if (!isPlain(b[i] as number)) return i;
  return i;
}

/** Printable ASCII (0x20–0x7f, one unsigned compare), other than `"` and `\\`. */
const isPlain = (c: number) => (c - 0x20) >>> 0 < 0x60 && c !== QUOTE && c !== BACKSLASH;

/** The body as 32-bit words from its first 4-aligned byte (`base`), made once per scan. */
interface Words {
  words: Uint32Array;
  base: number;
}

function wordsOf(b: Uint8Array): Words {
  const base = (4 - (b.byteOffset & 3)) & 3;
  const count = Math.max(0, (b.length - base) >>> 2);
  return { words: new Uint32Array(b.buffer, b.byteOffset + Math.min(base, b.length), count), base };
}

/**
 * Skips whole 32-bit words of plain string bytes (printable ASCII, not `"` or `\\`) from `start`,
 * with the classic SWAR tests (a byte ≥ 0x80, < 0x20, or equal to one value): a long string costs
 * a quarter of the loop iterations. Returns the first index not skipped; the byte loop does the rest.
 */
function plainWordsEnd(b: Uint8Array, start: number, { words, base }: Words): number {
  let i = start;
  // The unaligned head, byte by byte (at most three bytes).
  for (; i < b.length && (i - base) & 3; i++) if (!isPlain(b[i] as number)) return i;
  let w = (i - base) >> 2;
  for (; w < words.length; w++) {
    const x = words[w] as number;
    const high = x & 0x80808080;
    const control = (x - 0x20202020) & ~x & 0x80808080;
    const quote = ((x ^ 0x22222222) - 0x01010101) & ~(x ^ 0x22222222) & 0x80808080;
    const backslash = ((x ^ 0x5c5c5c5c) - 0x01010101) & ~(x ^ 0x5c5c5c5c) & 0x80808080;
    if ((high | control | quote | backslash) !== 0) break;
  }
  return Math.max(i, base + w * 4);
}

/** A literal or number from its first byte; returns the index after it. */
function scalarEnd(b: Uint8Array, i: number): number {
  const c = at(b, i);
  if (c === 0x74) return literal(b, i, "true");
  if (c === 0x66) return literal(b, i, "false");
  if (c === 0x6e) return literal(b, i, "null");
  return numberEnd(b, i);
}

function literal(b: Uint8Array, i: number, text: string): number {
  for (let j = 0; j < text.length; j++) if (at(b, i + j) !== text.charCodeAt(j)) invalid();
  return i + text.length;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` */
function numberEnd(b: Uint8Array, start: number): number {
  let i = start;
  if (at(b, i) === 0x2d) i++;
  if (at(b, i) === 0x30) i++;
  else if (isDigit(at(b, i))) i = digitsEnd(b, i);
  else invalid();
  if (at(b, i) === 0x2e) {
    if (!isDigit(at(b, ++i))) invalid();
    i = digitsEnd(b, i);
  }
  if (at(b, i) === 0x65 || at(b, i) === 0x45) {
    i++;
    if (at(b, i) === 0x2b || at(b, i) === 0x2d) i++;
    if (!isDigit(at(b, i))) invalid();
    i = digitsEnd(b, i);
  }
  return i;
}

function digitsEnd(b: Uint8Array, start: number): number {
  const n = b.length;
  let i = start;
  while (i < n && isDigit(b[i])) i++;
  return i;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** One escape after its backslash; returns the index after it. */
function escapeEnd(b: Uint8Array, i: number): number {
  const c = b[i];
  // " \ / b f n r t
  if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) {
    return i + 1;
  }
  if (c === 0x75 && isHex(b[i + 1]) && isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4])) return i + 5;
  invalid();
}

/** One multi-byte UTF-8 character (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF); returns the index after it. */
function utf8(b: Uint8Array, i: number): number {
  const n = b.length;
  const c = b[i] as number;
  const c1 = i + 1 < n ? (b[i + 1] as number) : 0;
  if (c >= 0xc2 && c <= 0xdf) {
    if ((c1 & 0xc0) === 0x80) return i + 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    const low = c === 0xe0 ? 0xa0 : 0x80;
    const high = c === 0xed ? 0x9f : 0xbf;
    if (c1 >= low && c1 <= high && i + 2 < n && ((b[i + 2] as number) & 0xc0) === 0x80) return i + 3;
  } else if (c >= 0xf0 && c <= 0xf4) {
    const low = c === 0xf0 ? 0x90 : 0x80;
    const high = c === 0xf4 ? 0x8f : 0xbf;
    if (
      c1 >= low &&
      c1 <= high &&
      i + 3 < n &&
      ((b[i + 2] as number) & 0xc0) === 0x80 &&
      ((b[i + 3] as number) & 0xc0) === 0x80
    )
      return i + 4;
  }
  invalid();
}

function invalid(): never {
  throw new BodyRejected("The request body is not valid JSON.");
}

function modelTooLong(): BodyRejected {
  return new BodyRejected(`\`model\` is longer than ${MAX_MODEL_LENGTH} characters.`);
}
