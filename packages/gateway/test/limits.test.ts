// The relay's cheap JSON scan agrees with JSON.parse, and refuses deep, wide and long bodies without parsing them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BodyRejected, MAX_JSON_DEPTH, MAX_JSON_VALUES, MAX_MODEL_LENGTH, scanJsonBody } from "../src/relay/limits.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** What the relay did before the scan: a strict decode and a full parse. */
function parsed(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

/** Texts near JSON: valid documents, and the same with one byte changed, cut or repeated. */
const nearJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => encode(JSON.stringify(v))),
  fc
    .record({ model: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), messages: fc.jsonValue({ maxDepth: 3 }) })
    .map((v) => encode(JSON.stringify(v, null, 1))),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, byte]) => {
    const bytes = encode(JSON.stringify({ model: "m", v }));
    bytes[at % bytes.length] = byte;
    return bytes;
  }),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([v, cut]) => {
    const bytes = encode(JSON.stringify({ v }));
    return bytes.subarray(0, cut % bytes.length);
  }),
  fc.string({ unit: "binary", maxLength: 40 }).map(encode),
  fc.uint8Array({ maxLength: 40 }),
  fc.stringMatching(/^[\s{}[\]",:0-9.eE+\-tfnrulasx\\u]{0,40}$/).map(encode),
);

describe("scanJsonBody", () => {
  it("accepts exactly what a strict decode and JSON.parse accept (objects), with the same top-level kinds", () => {
    fc.assert(
      fc.property(nearJson, (bytes) => {
        const expected = parsed(bytes);
        let scanned: ReturnType<typeof scanJsonBody> | undefined;
        let rejected: BodyRejected | undefined;
        try {
          scanned = scanJsonBody(bytes, ["messages", "v"]);
        } catch (thrown) {
          if (!(thrown instanceof BodyRejected)) throw thrown;
          rejected = thrown;
        }
        if (!expected.ok) {
          expect(rejected?.message).toBe("The request body is not valid JSON.");
          return;
        }
        const value = expected.value;
        if (kindOf(value) !== "object") {
          expect(rejected?.message).toBe("The request body must be a JSON object.");
          return;
        }
        const fields = value as Record<string, unknown>;
        const tooLong = typeof fields.model === "string" && fields.model.length > MAX_MODEL_LENGTH;
        if (tooLong || depthOf(value) > MAX_JSON_DEPTH) {
          expect(rejected).toBeDefined();
          return;
        }
        expect(rejected).toBeUndefined();
        expect(scanned?.model).toBe(typeof fields.model === "string" ? fields.model : undefined);
        for (const key of ["messages", "v", "model"]) {
          expect(scanned?.kinds.get(key)).toBe(key in fields ? kindOf(fields[key]) : undefined);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it("agrees with JSON.parse on long strings at every alignment (the four-bytes-at-a-time path)", () => {
    const fragment = fc.oneof(
      fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 80 }).map((s) => encode(s)),
      fc.integer({ min: 0, max: 255 }).map((byte) => new Uint8Array([byte])),
      fc.constantFrom("\\n", '\\"', "\\\\", "\\u00e9", "\\x", "é", "😀", '"').map(encode),
    );
    const body = fc.tuple(fc.nat(7), fc.array(fragment, { maxLength: 12 })).map(([pad, parts]) => {
      const bytes = new Uint8Array(pad + 40 + parts.reduce((sum, p) => sum + p.length, 0));
      bytes.fill(0x20, 0, pad);
      let at = pad;
      for (const part of [encode('{"model":"m","t":"'), ...parts, encode('"}')]) {
        bytes.set(part, at);
        at += part.length;
      }
      return bytes.subarray(0, at).subarray(pad % 3); // a view that starts at an odd offset, too
    });
    fc.assert(
      fc.property(body, (bytes) => {
        const expected = parsed(bytes).ok;
        let accepted = true;
        try {
          scanJsonBody(bytes);
        } catch (thrown) {
          if (!(thrown instanceof BodyRejected)) throw thrown;
          accepted = false;
        }
        expect(accepted).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses a body that repeats a member it reads, since parsers disagree on which copy counts", () => {
    const cases = [
      ['{"model":"a","model":"b","messages":[]}', "model"],
      ['{"model":"a","model":7}', "model"],
      ['{"model":"allowed","messages":[],"mod\\u0065l":"forbidden"}', "model"],
      ['{"model":"m","messages":{},"messages":[]}', "messages"],
      ['{"model":"m","max_tokens":5,"max_tokens":100000}', "max_tokens"],
    ];
    for (const [text, name] of cases) {
      expect(() => scanJsonBody(encode(text as string), ["messages", "max_tokens"]), text).toThrow(
        `more than one "${name}" member`,
      );
    }
  });

  it("keeps members of the same name that are not top-level, or that it does not read", () => {
    const body = '{"model":"m","messages":[{"model":"x"},{"model":"y"}],"n":1,"n":2}';
    expect(scanJsonBody(encode(body), ["messages"]).model).toBe("m");
  });

  it("reads a key spelled with escapes as the member it names", () => {
    const scanned = scanJsonBody(encode('{"mod\\u0065l":"openai/gpt-oss-120b","m\\u0061x_tokens":9}'), ["max_tokens"]);
    expect(scanned.model).toBe("openai/gpt-oss-120b");
    expect([...scanned.numbers]).toEqual([["max_tokens", 9]]);
  });

  it("reads a model followed by spaces (a pretty-printed body) without the spaces or its closing quote", () => {
    for (const text of ['{"model":"abc" }', '{"model" : "abc"\n,"x":1}', '{\n  "model": "abc"\n}']) {
      const scanned = scanJsonBody(encode(text));
      expect(scanned.model).toBe("abc");
      expect(text.slice(scanned.modelStart, scanned.modelEnd)).toBe('"abc"');
    }
  });

  it("keeps the numbers of wanted members (max_tokens)", () => {
    const body = encode('{"model":"m","max_tokens":12,"n":3,"max_completion_tokens":"x"}');
    const scanned = scanJsonBody(body, ["max_tokens", "max_completion_tokens"]);
    expect([...scanned.numbers]).toEqual([["max_tokens", 12]]);
  });

  it("decodes an escaped model, and skips a byte order mark", () => {
    expect(scanJsonBody(encode('\uFEFF {"model" : "openai\\/gpt\\u002doss" }')).model).toBe("openai/gpt-oss");
  });

  it("reads a model without escapes as its bytes, keeping a leading U+FEFF and non-ASCII text as JSON.parse does", () => {
    for (const model of ["\uFEFFm", "modèle/日本", "openai/gpt-oss-120b"]) {
      const body = encode(JSON.stringify({ model, messages: [] }));
      expect(scanJsonBody(body, ["messages"]).model).toBe(JSON.parse(new TextDecoder().decode(body)).model);
      expect(scanJsonBody(body, ["messages"]).model).toBe(model);
    }
  });

  it("gives the same answer when the same keys array is scanned again (its encoding is kept)", () => {
    const keys = ["messages", "max_tokens"];
    const first = scanJsonBody(encode('{"model":"a","messages":[],"max_tokens":3}'), keys);
    const second = scanJsonBody(encode('{"model":"b","messages":{},"max_tokens":4}'), keys);
    expect([first.model, first.kinds.get("messages"), first.numbers.get("max_tokens")]).toEqual(["a", "array", 3]);
    expect([second.model, second.kinds.get("messages"), second.numbers.get("max_tokens")]).toEqual(["b", "object", 4]);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, and accepts it at the bound`, () => {
    const nest = (depth: number) => encode(`{"model":"m","x":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`);
    expect(scanJsonBody(nest(MAX_JSON_DEPTH)).model).toBe("m");
    expect(() => scanJsonBody(nest(MAX_JSON_DEPTH + 1))).toThrow(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    // Millions deep, unterminated: refused at the bound, not at the end.
    expect(() => scanJsonBody(encode(`{"x":${"[".repeat(3_000_000)}`))).toThrow("nests deeper");
  });

  it(`refuses more than ${MAX_JSON_VALUES} values with 413, and accepts as many`, () => {
    // Counted as commas plus arrays and objects: the object, the array and one comma per element here.
    const wide = (values: number) => encode(`{"model":"m","x":[${"0,".repeat(values - 3)}0]}`);
    expect(scanJsonBody(wide(MAX_JSON_VALUES)).model).toBe("m");
    const error = (() => {
      try {
        scanJsonBody(wide(MAX_JSON_VALUES + 1));
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(BodyRejected);
    expect((error as BodyRejected).status).toBe(413);
  });

  it("refuses a model longer than the bound without decoding it, and never echoes it", () => {
    const long = "m".repeat(MAX_MODEL_LENGTH + 1);
    expect(() => scanJsonBody(encode(JSON.stringify({ model: long })))).toThrow(
      `\`model\` is longer than ${MAX_MODEL_LENGTH} characters.`,
    );
    expect(() => scanJsonBody(encode(JSON.stringify({ model: "m".repeat(5_000_000) })))).toThrow(/^[^m]*m[^m]*$/);
    expect(scanJsonBody(encode(JSON.stringify({ model: "m".repeat(MAX_MODEL_LENGTH) }))).model).toHaveLength(
      MAX_MODEL_LENGTH,
    );
  });

  it("handles strings with escaped quotes and backslashes in the counting pass", () => {
    const body = encode(JSON.stringify({ model: "m", text: 'a\\"b\\\\"c,[[{', list: [1, 2] }));
    expect(scanJsonBody(body, ["list"]).kinds.get("list")).toBe("array");
  });
});
