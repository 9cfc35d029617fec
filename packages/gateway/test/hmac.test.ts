// The synchronous SHA-256 / HMAC-SHA256 against published vectors and against WebCrypto itself.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Authenticator } from "../src/auth.ts";
import { hmacSha256, sha256 } from "../src/hmac.ts";

const utf8 = new TextEncoder();
const hex = (bytes: Uint8Array | ArrayBuffer) => Buffer.from(new Uint8Array(bytes)).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

/** WebCrypto's HMAC-SHA256, hex (copies the bytes: WebCrypto takes only ArrayBuffer-backed views). */
async function webCryptoHmac(key: Uint8Array, message: Uint8Array): Promise<string> {
  const imported = await crypto.subtle.importKey("raw", new Uint8Array(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return hex(await crypto.subtle.sign("HMAC", imported, new Uint8Array(message)));
}

describe("sha256", () => {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    [
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ],
    ["a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
  ])("hashes the NIST vector %#", (text, digest) => {
    expect(hex(sha256(utf8.encode(text)))).toBe(digest);
  });

  it("equals crypto.subtle.digest at every length around the block and padding boundaries", async () => {
    for (let length = 0; length <= 200; length++) {
      const message = crypto.getRandomValues(new Uint8Array(length));
      expect(hex(sha256(message)), `length ${length}`).toBe(hex(await crypto.subtle.digest("SHA-256", message)));
    }
  });
});

describe("hmacSha256", () => {
  // RFC 4231 test cases 1, 2 and 6 (a key longer than one block is hashed first).
  it.each([
    ["0b".repeat(20), hex(utf8.encode("Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"],
    [
      hex(utf8.encode("Jefe")),
      hex(utf8.encode("what do ya want for nothing?")),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ],
    [
      "aa".repeat(131),
      hex(utf8.encode("Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ],
  ])("matches RFC 4231 case %#", (key, message, mac) => {
    expect(hex(hmacSha256(fromHex(key))(fromHex(message)))).toBe(mac);
  });

  it("is byte-identical to WebCrypto's HMAC for any key and message", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 200 }), // WebCrypto refuses an empty HMAC key
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        async (key, messages) => {
          const mac = hmacSha256(key); // one keyed MAC reused for several messages, as the gateway does
          for (const message of messages) expect(hex(mac(message))).toBe(await webCryptoHmac(key, message));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes a text as its UTF-8 bytes (TextEncoder's, lone surrogates as U+FFFD), and keeps the leftmost bytes asked for", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        // ASCII, any UTF-16 (lone surrogates included), and texts long enough to grow the shared buffer.
        fc.array(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 300 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 32 }),
        async (key, texts, length) => {
          const mac = hmacSha256(key);
          for (const text of texts) {
            const expected = await webCryptoHmac(key, utf8.encode(text));
            expect(hex(mac(text)), JSON.stringify(text)).toBe(expected);
            expect(hex(mac(text, length))).toBe(expected.slice(0, 2 * length));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ["a lone high surrogate", "key:\ud800x"],
    ["a lone low surrogate at the end", "key:x\udc00"],
    ["a pair", "key:\u{1f600}"],
    ["ASCII's last character and Latin-1's first", "\x7f\x80"],
    ["10,000 two-byte characters (more than the buffer holds so far)", "é".repeat(10_000)],
  ])("hashes a text with %s as TextEncoder encodes it", async (_, text) => {
    const mac = hmacSha256(utf8.encode("salt"));
    expect(hex(mac(text))).toBe(await webCryptoHmac(utf8.encode("salt"), utf8.encode(text)));
  });
});

describe("caller ids", () => {
  it("are the WebCrypto HMAC of the key under the salt, so ids (cache keys, cursors) survive the change", async () => {
    const auth = new Authenticator({ mode: "pass-through" }, "the salt");
    const request = new Request("http://gw/v1/models", { headers: { authorization: "Bearer sk-caller" } });
    const identified = await auth.identify(request, false);
    if (!identified.ok) throw new Error("expected a caller");
    const full = await webCryptoHmac(utf8.encode("the salt"), utf8.encode("key:sk-caller"));
    const expected = Buffer.from(fromHex(full).subarray(0, 16)).toString("base64url");
    expect(identified.caller.id).toBe(expected);
    expect(identified.caller.id).not.toContain("sk-caller");
    expect(await auth.sign("etag:x")).toBe(auth.signNow("etag:x"));
  });
});
