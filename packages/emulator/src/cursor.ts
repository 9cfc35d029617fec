// Opaque list cursors: base64url of the next offset, the query it belongs to and a checksum, so tampering is caught.
import { fnv1a } from "./random.ts";

export interface CursorState {
  offset: number;
  addedOnly: boolean;
}

export function encodeCursor(state: CursorState, secret: string): string {
  const payload = `v1.${state.offset}.${state.addedOnly ? 1 : 0}`;
  return toBase64Url(`${payload}.${checksum(payload, secret)}`);
}

/** The cursor's state, or undefined when it is not one this emulator issued. */
export function decodeCursor(cursor: string, secret: string): CursorState | undefined {
  let text: string;
  try {
    text = fromBase64Url(cursor);
  } catch {
    return undefined;
  }
  const match = /^(v1\.(\d{1,9})\.([01]))\.([0-9a-f]{8})$/.exec(text);
  if (!match || checksum(match[1] ?? "", secret) !== match[4]) return undefined;
  return { offset: Number(match[2]), addedOnly: match[3] === "1" };
}

/** Any short payload as an opaque, checksummed cursor (the usage and billing pages carry a time in it). */
export function encodeOpaque(payload: string, secret: string): string {
  return toBase64Url(`${payload}.${checksum(payload, secret)}`);
}

/** The payload of a cursor `encodeOpaque` made, or undefined. */
export function decodeOpaque(cursor: string, secret: string): string | undefined {
  let text: string;
  try {
    text = fromBase64Url(cursor);
  } catch {
    return undefined;
  }
  const match = /^(.{1,200})\.([0-9a-f]{8})$/s.exec(text);
  return match && checksum(match[1] ?? "", secret) === match[2] ? match[1] : undefined;
}

function checksum(payload: string, secret: string): string {
  return fnv1a(`${secret}|${payload}`).toString(16).padStart(8, "0");
}

function toBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new TypeError("not base64url");
  return atob(text.replace(/-/g, "+").replace(/_/g, "/"));
}
