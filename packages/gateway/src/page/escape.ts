// HTML escaping: every catalog string reaches the page through `html`, so none can become markup.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup that is already safe: built by `html` or by this module's own constants. */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = string | number | null | undefined | Safe | readonly Value[];

/** A template tag that escapes every interpolated value unless it is `Safe` (or a list of such). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Safe {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Safe(out);
}

function render(value: Value): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Safe) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}
