// The summary a maintainer pastes into a changeset, and the complete report, on edited copies of the real document.
import { describe, expect, it } from "vitest";
import { diffSpecs, suggestLevel } from "../src/diff.ts";
import { formatReport, formatSummary, SUMMARY_MAX_LINE, SUMMARY_MAX_LINES } from "../src/summary.ts";
import { excerpt, management, type Spec, wholeOverExcerpt } from "./fixtures.ts";

const { paths, schemas } = wholeOverExcerpt();

const summarise = (before: Spec, after: Spec) => formatSummary(diffSpecs(before, after), ".spec-update/management.md");

describe("formatSummary", () => {
  it("summarises the move from the excerpt to the whole document in a few lines, breaking changes first", () => {
    expect(summarise(excerpt(), management()).split("\n")).toEqual([
      "Suggested changeset level: **major** (4 breaking changes; `minor` while the package is 0.x)",
      "",
      "Breaking changes (4):",
      '- `LimitTypeV1`: values added: "CONCURRENT_REQUEST", "UNCACHED_INPUT_TOKEN", "OUTPUT_TOKEN"',
      "- `ModelAPIV1.cost_per_million_input_tokens`: now nullable",
      "- `ModelAPIV1.cost_per_million_output_tokens`: now nullable",
      "- `RateLimitV1.threshold`: minimum 1 → 0",
      "",
      `Added: ${paths} paths, ${schemas} schemas`,
      "",
      "Documentation only (5):",
      "- `GET /v1/model_apis`: description, summary changed",
      "- `GET /v1/model_apis/{model_api_name}`: description, summary changed",
      "- `ModelAPIV1.cost_per_million_input_tokens`: description changed",
      "- `ModelAPIV1.cost_per_million_output_tokens`: description changed",
      "- `ModelAPIV1.model_family`: examples changed",
      "",
      "Full report: .spec-update/management.md",
    ]);
  });

  it("names a changed field type, an added enum value, a changed minimum, a removed path and a reworded description", () => {
    const after = management();
    after.components.schemas.ModelAPIV1.properties.context_length.type = "string";
    after.components.schemas.RateLimitUnitV1.enum.push("HOUR");
    after.components.schemas.RateLimitV1.properties.threshold.minimum = 1;
    delete after.paths["/v1/billing/model_apis"];
    after.components.schemas.ModelAPIV1.properties.invoke_url.description = "Where to send inference requests.";

    expect(summarise(management(), after).split("\n")).toEqual([
      "Suggested changeset level: **major** (4 breaking changes; `minor` while the package is 0.x)",
      "",
      "Breaking changes (4):",
      "- `ModelAPIV1.context_length`: integer → string",
      '- `RateLimitUnitV1`: values added: "HOUR"',
      "- `RateLimitV1.threshold`: minimum 0 → 1",
      "- `/v1/billing/model_apis`: GET",
      "",
      "Removed: 1 path",
      "",
      "Documentation only (1):",
      "- `ModelAPIV1.invoke_url`: description changed",
      "",
      "Full report: .spec-update/management.md",
    ]);
  });

  it("stays within 60 lines of at most 160 characters when hundreds of things break; the report keeps them all", () => {
    // The whole document replaced by the excerpt: hundreds of paths and schemas removed.
    const changes = diffSpecs(management(), excerpt());
    const lines = formatSummary(changes, "r.md").split("\n");

    expect(lines.length).toBeLessThanOrEqual(SUMMARY_MAX_LINES);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(SUMMARY_MAX_LINE);
    expect(paths + schemas).toBeGreaterThan(200);
    expect(lines).toContain(`Removed: ${paths} paths, ${schemas} schemas`);
    expect(lines.some((line) => /^- … and \d+ more breaking changes \(full report\)$/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe("Full report: r.md");
    const report = formatReport(changes);
    for (const change of changes) expect(report).toContain(`- \`${change.location}\`: ${change.detail}`);
  });

  it("turns many documentation-only changes into one count line", () => {
    const after = management();
    const count = Object.keys(after.components.schemas).length;
    for (const schema of Object.values(after.components.schemas as Record<string, Spec>)) {
      schema.description = `${schema.description ?? ""} (reworded)`;
    }
    const summary = formatSummary(diffSpecs(management(), after));

    expect(summary.split("\n")).toEqual([
      "Suggested changeset level: **patch** (documentation only)",
      "",
      `Documentation only: ${count} changes (${count} description; see the full report)`,
    ]);
  });

  it("suggests minor when nothing breaks and none when nothing changed", () => {
    const after = management();
    after.components.schemas.Usage = { type: "object", properties: { tokens: { type: "integer" } } };

    const changes = diffSpecs(management(), after);
    expect(suggestLevel(changes)).toBe("minor");
    expect(formatSummary(changes)).toBe(
      ["Suggested changeset level: **minor** (no breaking changes)", "", "Added: 1 schema"].join("\n"),
    );
    expect(formatSummary([])).toBe("No API changes.");
  });
});
