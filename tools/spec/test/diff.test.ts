// Behaviour of diffSpecs/formatSummary on edited copies of the real management spec.
import { describe, expect, it } from "vitest";
import { describeSchema, diffSpecs, formatSummary, type SpecChange, suggestLevel } from "../src/diff.ts";
import { management } from "./fixtures.ts";

const brief = (changes: SpecChange[]) => changes.map(({ kind, location, breaking }) => ({ kind, location, breaking }));

describe("diffSpecs", () => {
  it("reports nothing when the documents are the same", () => {
    expect(diffSpecs(management(), management())).toEqual([]);
  });

  it("reports exactly a changed property type, a removed property, an added path and an added query parameter", () => {
    const after = management();
    const model = after.components.schemas.ModelAPIV1;
    model.properties.context_length.type = "string";
    delete model.properties.model_family;
    after.paths["/v1/model_apis/{model_api_name}/usage"] = { get: { responses: { "200": { description: "" } } } };
    after.paths["/v1/model_apis"].get.parameters.push({ name: "search", in: "query", schema: { type: "string" } });

    expect(diffSpecs(management(), after)).toEqual([
      { kind: "property-removed", location: "ModelAPIV1.model_family", breaking: true, detail: "removed" },
      {
        kind: "property-type-changed",
        location: "ModelAPIV1.context_length",
        breaking: true,
        detail: "integer → string",
      },
      { kind: "path-added", location: "/v1/model_apis/{model_api_name}/usage", breaking: false, detail: "GET" },
      {
        kind: "parameter-added",
        location: "GET /v1/model_apis query search",
        breaking: false,
        detail: "optional, string",
      },
    ]);
  });

  it("reports removed paths, operations and schemas as breaking", () => {
    const after = management();
    delete after.paths["/v1/model_apis/{model_api_name}"];
    after.paths["/v1/model_apis"].post = after.paths["/v1/model_apis"].get;
    delete after.paths["/v1/model_apis"].get;
    delete after.components.schemas.RateLimitUnitV1;

    expect(brief(diffSpecs(management(), after))).toEqual([
      { kind: "path-removed", location: "/v1/model_apis/{model_api_name}", breaking: true },
      { kind: "operation-removed", location: "GET /v1/model_apis", breaking: true },
      { kind: "schema-removed", location: "RateLimitUnitV1", breaking: true },
      { kind: "operation-added", location: "POST /v1/model_apis", breaking: false },
    ]);
  });

  it("reports a path-level $ref parameter whose type and required flag changed", () => {
    const before = management();
    before.components.parameters.model_api_name.required = false;
    before.components.parameters.model_api_name.in = "query";
    const after = management();
    after.components.parameters.model_api_name.required = true;
    after.components.parameters.model_api_name.in = "query";
    after.components.parameters.model_api_name.schema = { type: "integer" };

    expect(diffSpecs(before, after)).toEqual([
      {
        kind: "parameter-changed",
        location: "GET /v1/model_apis/{model_api_name} query model_api_name",
        breaking: true,
        detail: "string → integer; now required",
      },
    ]);
  });

  it("does not count a parameter becoming optional as breaking", () => {
    const before = management();
    before.paths["/v1/model_apis"].get.parameters[1].required = true;

    expect(brief(diffSpecs(before, management()))).toEqual([
      { kind: "parameter-changed", location: "GET /v1/model_apis query limit", breaking: false },
    ]);
  });

  it("reports an added enum value on a component schema as a type change", () => {
    const after = management();
    after.components.schemas.LimitTypeV1.enum.push("CONCURRENCY");

    expect(diffSpecs(management(), after)).toEqual([
      {
        kind: "schema-type-changed",
        location: "LimitTypeV1",
        breaking: true,
        detail: '"REQUEST" | "TOKEN" → "CONCURRENCY" | "REQUEST" | "TOKEN"',
      },
    ]);
  });

  it("compares $ref targets by name and does not inline them", () => {
    const after = management();
    // The referenced schema changes, so only it is reported, not every property pointing at it.
    after.components.schemas.ModelAPIOrgDetailsV1.properties.added_at.type = "integer";
    after.components.schemas.RateLimitV1.properties.unit.$ref = "#/components/schemas/LimitTypeV1";

    expect(brief(diffSpecs(management(), after))).toEqual([
      { kind: "property-type-changed", location: "ModelAPIOrgDetailsV1.added_at", breaking: true },
      { kind: "property-type-changed", location: "RateLimitV1.unit", breaking: true },
    ]);
  });

  it("judges required-ness by direction: optional response fields break readers, new required request fields break senders", () => {
    const after = management();
    after.components.schemas.ModelAPIV1.required = after.components.schemas.ModelAPIV1.required.filter(
      (name: string) => name !== "context_length",
    );
    after.components.schemas.ModelAPIV1.required.push("model_family");
    // A schema only a request body uses.
    after.components.schemas.ModelAPICreateV1 = { type: "object", properties: { name: { type: "string" } } };
    after.paths["/v1/model_apis"].post = {
      requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/ModelAPICreateV1" } } } },
      responses: { "201": { description: "" } },
    };
    const before = structuredClone(after);
    after.components.schemas.ModelAPICreateV1.properties.region = { type: "string" };
    after.components.schemas.ModelAPICreateV1.required = ["region"];

    const changes = brief(diffSpecs(management(), after));
    expect(changes).toContainEqual({
      kind: "property-required-changed",
      location: "ModelAPIV1.context_length",
      breaking: true,
    });
    expect(changes).toContainEqual({
      kind: "property-required-changed",
      location: "ModelAPIV1.model_family",
      breaking: false,
    });
    expect(brief(diffSpecs(before, after))).toEqual([
      { kind: "property-added", location: "ModelAPICreateV1.region", breaking: true },
    ]);
  });

  it("reports a documentation-only edit as docs-changed and nothing else", () => {
    const after = management();
    after.components.schemas.ModelAPIV1.properties.context_length.description = "Context window, in tokens.";

    expect(brief(diffSpecs(management(), after))).toEqual([
      { kind: "docs-changed", location: "(document)", breaking: false },
    ]);
  });

  it("ignores key order", () => {
    const after = management();
    after.components.schemas = Object.fromEntries(Object.entries(after.components.schemas).reverse());
    after.paths["/v1/model_apis"].get = Object.fromEntries(Object.entries(after.paths["/v1/model_apis"].get).reverse());

    expect(diffSpecs(management(), after)).toEqual([]);
  });

  it("treats reordered anyOf members as no type change", () => {
    const after = management();
    after.components.schemas.ModelAPIV1.properties.model_family.anyOf.reverse();

    // The document did change (array order is content), but no type did.
    expect(diffSpecs(management(), after).map((c) => c.kind)).toEqual(["docs-changed"]);
  });
});

describe("describeSchema", () => {
  it("describes OpenAPI 3.0 nullable, a 3.1 type array and an anyOf with null the same", () => {
    const expected = "null | string";
    expect(describeSchema({ type: "string", nullable: true })).toBe(expected);
    expect(describeSchema({ type: ["string", "null"] })).toBe(expected);
    expect(describeSchema({ anyOf: [{ type: "null" }, { oneOf: [{ type: "string" }] }] })).toBe(expected);
  });

  it("describes arrays, refs and inline objects so nested changes show up", () => {
    expect(
      describeSchema({
        type: "object",
        required: ["id"],
        properties: { id: { type: "integer" }, tags: { type: "array", items: { $ref: "#/components/schemas/Tag" } } },
      }),
    ).toBe("{ id: integer; tags?: array<Tag> }");
  });
});

describe("formatSummary", () => {
  it("suggests major and marks breaking entries when something was removed", () => {
    const after = management();
    delete after.components.schemas.ModelAPIV1.properties.model_family;
    after.paths["/v1/usage"] = { get: { responses: {} } };

    expect(formatSummary(diffSpecs(management(), after))).toBe(
      [
        "Suggested changeset level: **major** (1 breaking change; `minor` while the package is 0.x)",
        "",
        "### Properties removed",
        "- `ModelAPIV1.model_family`: removed — **breaking**",
        "",
        "### Paths added",
        "- `/v1/usage`: GET",
      ].join("\n"),
    );
  });

  it("suggests minor when things were only added", () => {
    const after = management();
    after.components.schemas.Usage = { type: "object", properties: { tokens: { type: "integer" } } };

    const changes = diffSpecs(management(), after);
    expect(suggestLevel(changes)).toBe("minor");
    expect(formatSummary(changes)).toContain("**minor** (additions only)");
    expect(formatSummary(changes)).toContain("- `Usage`: { tokens?: integer }");
  });

  it("suggests patch for documentation-only changes and none when nothing changed", () => {
    const after = management();
    after.info.description = "Manage Baseten resources.";

    expect(formatSummary(diffSpecs(management(), after))).toContain("**patch** (documentation only)");
    expect(suggestLevel([])).toBe("none");
    expect(formatSummary([])).toBe("No API changes.");
  });
});
