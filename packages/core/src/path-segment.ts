// Guards path parameters: a name must stay one path segment whatever bytes it carries.
import { InvalidArgumentError } from "./errors.ts";

// Separators, query/fragment starts, percent-escapes and control characters can all change which
// resource a URL names once a server or proxy decodes it; URL-safe slugs never contain them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this rejects.
const UNSAFE = /[/\\?#%\u0000-\u001f\u007f]/;

/**
 * Returns `value` when it is safe to percent-encode as exactly one path segment, or throws
 * `InvalidArgumentError` (before any request) for names that could address another path: `""`,
 * `.`, `..`, or anything with `/`, `\`, `?`, `#`, `%` or control characters.
 */
export function assertPathSegment(value: unknown, label: string): string {
  const safe =
    typeof value === "string" &&
    value !== "" &&
    value !== "." &&
    value !== ".." &&
    !UNSAFE.test(value) &&
    value.isWellFormed(); // a lone surrogate cannot be percent-encoded at all
  if (safe) return value;
  throw new InvalidArgumentError(
    `${label} ${JSON.stringify(value)} is not one URL path segment: use a slug such as "llama-3-3-70b-instruct".`,
  );
}
