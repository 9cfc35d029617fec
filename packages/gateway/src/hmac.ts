// Synchronous SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), byte-identical to WebCrypto's.
// Why not `crypto.subtle`: its calls are async and cost ~125 µs each in Node (a sixth of a relayed
// request) to hash a few dozen bytes; here the HMAC's two key blocks are compressed once at start-up,
// so a caller id costs two block compressions (~10 µs here against ~90–150 µs for `crypto.subtle.sign`).
// biome-ignore-all lint/style/noNonNullAssertion: every typed-array index here is in range by construction (tight loops).

const K = new Uint32Array(64);
const IV = new Uint32Array(8);
const W = new Uint32Array(64);

// The constants are the first 32 fractional bits of the square roots (IV) and cube roots (K) of the
// first primes; computing them is shorter than listing them, and the NIST vectors prove them right.
for (let n = 0, candidate = 2; n < 64; candidate++) {
  let prime = true;
  for (let d = 2; d * d <= candidate; d++) if (candidate % d === 0) prime = false;
  if (!prime) continue;
  if (n < 8) IV[n] = fraction(Math.sqrt(candidate));
  K[n++] = fraction(Math.cbrt(candidate));
}

function fraction(x: number): number {
  return ((x - Math.floor(x)) * 2 ** 32) >>> 0;
}

const ror = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** Mixes one 64-byte block of `bytes`, starting at `at`, into the state `h`. */
function compress(h: Uint32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4)
    W[i] = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    W[i] = W[i - 16]! + (ror(x, 7) ^ ror(x, 18) ^ (x >>> 3)) + W[i - 7]! + (ror(y, 17) ^ ror(y, 19) ^ (y >>> 10));
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = h[0]! + a;
  h[1] = h[1]! + b;
  h[2] = h[2]! + c;
  h[3] = h[3]! + d;
  h[4] = h[4]! + e;
  h[5] = h[5]! + f;
  h[6] = h[6]! + g;
  h[7] = h[7]! + k;
}

/** Hashes `message` from `start`, a state after `prefix` bytes (a multiple of 64) were already mixed in. */
function finish(start: Uint32Array, prefix: number, message: Uint8Array): Uint8Array {
  const h = start.slice();
  const whole = message.length - (message.length % 64);
  for (let at = 0; at < whole; at += 64) compress(h, message, at);
  const rest = message.length - whole;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(message.subarray(whole));
  tail[rest] = 0x80;
  const view = new DataView(tail.buffer);
  const bits = (prefix + message.length) * 8;
  view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(tail.length - 4, bits >>> 0);
  for (let at = 0; at < tail.length; at += 64) compress(h, tail, at);
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]!);
  return out;
}

/** SHA-256 of `message` (32 bytes). */
export function sha256(message: Uint8Array): Uint8Array {
  return finish(IV, 0, message);
}

/**
 * HMAC-SHA256 keyed once: the key's inner and outer blocks are compressed here, so each call only
 * hashes the message and the inner digest.
 */
export function hmacSha256(key: Uint8Array): (message: Uint8Array) => Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const inner = IV.slice();
  const outer = IV.slice();
  compress(
    inner,
    block.map((byte) => byte ^ 0x36),
    0,
  );
  compress(
    outer,
    block.map((byte) => byte ^ 0x5c),
    0,
  );
  return (message) => finish(outer, 64, finish(inner, 64, message));
}
