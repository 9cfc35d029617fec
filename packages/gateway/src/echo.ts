// Anything the caller sent that goes back in an error message or into a log passes through here:
// a 10 MB query key or path must not come back as a 10 MB answer or log line.

/** Longest piece of caller input quoted in an error message. */
export const MAX_ECHO = 100;

/** `text` cut to `MAX_ECHO` characters (with an ellipsis when cut). */
export function clip(text: string, max = MAX_ECHO): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
