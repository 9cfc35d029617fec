// Synchronous SHA-256 and HMAC-SHA256, byte-identical to WebCrypto's, from @noble/hashes (audited, no
// dependencies, made for every JS runtime). Why not `crypto.subtle`: its calls are async and cost ~125 µs
// each in Node (a sixth of a relayed request) to hash a few dozen bytes; here the HMAC's key blocks are
// processed once at start-up and each call clones that state, so a caller id costs ~10 µs.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** SHA-256 of `message` (32 bytes). */
export function sha256(message: Uint8Array): Uint8Array {
  return nobleSha256(message);
}

/**
 * HMAC-SHA256 keyed once: the key's inner and outer blocks are hashed here, so each call only hashes
 * the message and the inner digest.
 */
export function hmacSha256(key: Uint8Array): (message: Uint8Array) => Uint8Array {
  const keyed = hmac.create(nobleSha256, key);
  return (message) => keyed.clone().update(message).digest();
}
