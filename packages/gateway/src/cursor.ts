// Opaque page cursors over the cached catalog, signed so that only the caller they were issued to
// (and the same filter) can use them.
import { sameText } from "@baseten-edge/core/internal";

export interface CursorState {
  offset: number;
  addedOnly: boolean;
}

type Sign = (text: string) => Promise<string>;

/** `<offset>.<flags>.<mac>`, all base64url-safe; the MAC binds it to the caller id. */
export async function issueCursor(state: CursorState, callerId: string, sign: Sign): Promise<string> {
  const body = `${state.offset.toString(36)}.${state.addedOnly ? "a" : "f"}`;
  return `${body}.${await sign(`cursor:${callerId}:${body}`)}`;
}

/** The state in a cursor, or null when it is malformed or was issued to someone else. */
export async function readCursor(cursor: string, callerId: string, sign: Sign): Promise<CursorState | null> {
  const [, offset, scope, signature] = /^([0-9a-z]{1,8})\.([af])\.([\w-]{22})$/.exec(cursor) ?? [];
  if (!offset || !scope || !signature) return null;
  const body = `${offset}.${scope}`;
  if (!sameText(await sign(`cursor:${callerId}:${body}`), signature)) return null;
  return { offset: Number.parseInt(offset, 36), addedOnly: scope === "a" };
}
