// Turns a list of spec changes into a short summary a maintainer can paste, and a complete report.
import { type ChangeKind, changeKinds, type SpecChange, suggestLevel } from "./diff.ts";

/** The most lines {@link formatSummary} prints: a changeset entry, not a listing. */
export const SUMMARY_MAX_LINES = 60;
/** Longer lines are cut with "…": a summary line is read, not parsed. */
export const SUMMARY_MAX_LINE = 160;

const headings: Record<ChangeKind, string> = {
  "path-removed": "Paths removed",
  "operation-removed": "Operations removed",
  "parameter-removed": "Parameters removed",
  "schema-removed": "Schemas removed",
  "property-removed": "Properties removed",
  "type-changed": "Types changed",
  "enum-changed": "Enum values changed",
  "nullability-changed": "Nullability changed",
  "required-changed": "Required-ness changed",
  "constraint-changed": "Constraints changed",
  "path-added": "Paths added",
  "operation-added": "Operations added",
  "parameter-added": "Parameters added",
  "schema-added": "Schemas added",
  "property-added": "Properties added",
  "docs-changed": "Documentation",
};

/** How each kind is counted in the summary's count lines, e.g. "2 paths". */
const nouns: Partial<Record<ChangeKind, [string, string]>> = {
  "path-removed": ["path", "paths"],
  "operation-removed": ["operation", "operations"],
  "parameter-removed": ["parameter", "parameters"],
  "schema-removed": ["schema", "schemas"],
  "property-removed": ["property", "properties"],
  "path-added": ["path", "paths"],
  "operation-added": ["operation", "operations"],
  "parameter-added": ["parameter", "parameters"],
  "schema-added": ["schema", "schemas"],
  "property-added": ["property", "properties"],
};

const plural = (n: number, [one, many]: [string, string]) => `${n} ${n === 1 ? one : many}`;

const cut = (line: string): string =>
  line.length <= SUMMARY_MAX_LINE ? line : `${line.slice(0, SUMMARY_MAX_LINE - 1)}…`;

const entry = (c: SpecChange, withFlag = false): string =>
  `- \`${c.location}\`: ${c.detail}${withFlag && c.breaking ? " — **breaking**" : ""}`;

function levelLine(changes: readonly SpecChange[]): string {
  const level = suggestLevel(changes);
  const breaking = changes.filter((c) => c.breaking).length;
  const why =
    level === "major"
      ? `${breaking} breaking change${breaking === 1 ? "" : "s"}; \`minor\` while the package is 0.x`
      : level === "minor"
        ? "no breaking changes"
        : "documentation only";
  return `Suggested changeset level: **${level}** (${why})`;
}

/** "Removed: 1 path, 2 schemas" for the kinds given, or null when there are none. */
function countLine(label: string, kinds: readonly ChangeKind[], changes: readonly SpecChange[]): string | null {
  const parts = kinds.flatMap((kind) => {
    const n = changes.filter((c) => c.kind === kind).length;
    const noun = nouns[kind];
    return n > 0 && noun ? [plural(n, noun)] : [];
  });
  return parts.length === 0 ? null : `${label}: ${parts.join(", ")}`;
}

/** Lists `items` one a line while `budget` allows, else the first ones and a line saying how many more. */
function listWithin(items: readonly SpecChange[], budget: number, more: (n: number) => string): string[] {
  if (items.length <= budget) return items.map((c) => cut(entry(c)));
  const shown = Math.max(0, budget - 1);
  return [...items.slice(0, shown).map((c) => cut(entry(c))), more(items.length - shown)];
}

const REMOVALS: readonly ChangeKind[] = [
  "path-removed",
  "operation-removed",
  "parameter-removed",
  "schema-removed",
  "property-removed",
];
const COUNTED_REMOVALS: readonly ChangeKind[] = ["path-removed", "operation-removed", "schema-removed"];
const ADDITIONS: readonly ChangeKind[] = [
  "path-added",
  "operation-added",
  "parameter-added",
  "schema-added",
  "property-added",
];

/**
 * A summary of `changes` in at most {@link SUMMARY_MAX_LINES} lines: the suggested changeset level,
 * then every breaking change one a line (as many as fit), then counts of what was added and
 * removed, then other changes and documentation-only changes one a line, or as counts when they do
 * not fit. `reportPath`, when given, is named as where the complete list is.
 *
 * @example
 * formatSummary([]); // "No API changes."
 */
export function formatSummary(changes: readonly SpecChange[], reportPath?: string): string {
  if (changes.length === 0) return "No API changes.";
  // What changed in place first; whole paths, operations and schemas removed are also in the counts.
  const removalLast = (c: SpecChange) => (COUNTED_REMOVALS.includes(c.kind) ? 1 : 0);
  const breaking = changes.filter((c) => c.breaking).sort((a, b) => removalLast(a) - removalLast(b));
  const docs = changes.filter((c) => c.kind === "docs-changed");
  const counted = new Set<ChangeKind>([...REMOVALS, ...ADDITIONS]);
  const other = changes.filter((c) => !c.breaking && c.kind !== "docs-changed" && !counted.has(c.kind));
  const counts = [countLine("Removed", REMOVALS, changes), countLine("Added", ADDITIONS, changes)].filter(
    (line): line is string => line !== null,
  );
  const tail = reportPath === undefined ? [] : ["", `Full report: ${reportPath}`];
  // Lines later parts need at least (a blank and a count line each), so breaking changes leave room for them.
  const reserve = (items: readonly unknown[]) => (items.length > 0 ? 2 : 0);
  const countLines = counts.length > 0 ? counts.length + 1 : 0;
  const lines = [levelLine(changes)];
  const left = (after: number) => SUMMARY_MAX_LINES - lines.length - tail.length - after;
  if (breaking.length > 0) {
    const room = left(2 + countLines + reserve(other) + reserve(docs));
    lines.push("", `Breaking changes (${breaking.length}):`, ...listWithin(breaking, room, moreLine("breaking")));
  }
  if (counts.length > 0) lines.push("", ...counts);
  lines.push(...section("Other changes", other, left(reserve(docs))));
  lines.push(...section("Documentation only", docs, left(0)));
  return [...lines, ...tail].join("\n");
}

const moreLine = (what: string) => (n: number) => `- … and ${n} more ${what} change${n === 1 ? "" : "s"} (full report)`;

/** A titled list of changes within `budget` lines (title included), or one count line when only that fits. */
function section(title: string, items: readonly SpecChange[], budget: number): string[] {
  if (items.length === 0) return [];
  if (budget - 2 >= items.length) return ["", `${title} (${items.length}):`, ...items.map((c) => cut(entry(c)))];
  return ["", `${title}: ${items.length} changes (${breakdown(items)}; see the full report)`];
}

/** "12 description, 3 summary" — what the changes touched, most frequent first. */
function breakdown(items: readonly SpecChange[]): string {
  const counts = new Map<string, number>();
  for (const c of items) {
    const keys = c.kind === "docs-changed" ? c.detail.replace(/ changed$/, "").split(", ") : [headings[c.kind]];
    for (const key of keys) counts.set(key.toLowerCase(), (counts.get(key.toLowerCase()) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([key, n]) => `${n} ${key}`)
    .join(", ");
}

/**
 * Every change, grouped by kind in the order of {@link changeKinds}, breaking ones flagged: the
 * file `spec:update` writes next to the printed summary.
 *
 * @example
 * formatReport([]); // "No API changes.\n"
 */
export function formatReport(changes: readonly SpecChange[]): string {
  if (changes.length === 0) return "No API changes.\n";
  const lines = [levelLine(changes)];
  for (const kind of changeKinds) {
    const group = changes.filter((c) => c.kind === kind);
    if (group.length === 0) continue;
    lines.push("", `### ${headings[kind]} (${group.length})`, ...group.map((c) => entry(c, true)));
  }
  return `${lines.join("\n")}\n`;
}
