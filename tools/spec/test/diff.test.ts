// Behaviour of diffSpecs on edited copies of Baseten's real, whole management document.
import { describe, expect, it } from "vitest";
import { describeSchema, diffSpecs, type SpecChange } from "../src/diff.ts";
import { excerpt, management } from "./fixtures.ts";

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
    after.paths["/v1/model_apis/{model_api_name}/stats"] = { get: { responses: { "200": { description: "" } } } };
    after.paths["/v1/model_apis"].get.parameters.push({ name: "search", in: "query", schema: { type: "string" } });

    expect(diffSpecs(management(), after)).toEqual([
      { kind: "property-removed", location: "ModelAPIV1.model_family", breaking: true, detail: "removed" },
      { kind: "type-changed", location: "ModelAPIV1.context_length", breaking: true, detail: "integer → string" },
      { kind: "path-added", location: "/v1/model_apis/{model_api_name}/stats", breaking: false, detail: "GET" },
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

  it("reports a shared $ref parameter whose type and required flag changed", () => {
    const before = management();
    before.components.parameters.model_api_name.required = false;
    before.components.parameters.model_api_name.in = "query";
    const after = management();
    after.components.parameters.model_api_name.required = true;
    after.components.parameters.model_api_name.in = "query";
    after.components.parameters.model_api_name.schema = { type: "integer" };

    expect(diffSpecs(before, after)).toEqual([
      {
        kind: "type-changed",
        location: "GET /v1/model_apis/{model_api_name} query model_api_name",
        breaking: true,
        detail: "string → integer",
      },
      {
        kind: "required-changed",
        location: "GET /v1/model_apis/{model_api_name} query model_api_name",
        breaking: true,
        detail: "now required",
      },
    ]);
  });

  it("does not count a parameter becoming optional as breaking", () => {
    const before = management();
    before.paths["/v1/model_apis"].get.parameters[1].required = true;

    expect(brief(diffSpecs(before, management()))).toEqual([
      { kind: "required-changed", location: "GET /v1/model_apis query limit", breaking: false },
    ]);
  });

  it("reports an enum value added to a response schema as breaking, with the value", () => {
    const after = management();
    after.components.schemas.LimitTypeV1.enum.push("IMAGE");

    expect(diffSpecs(management(), after)).toEqual([
      { kind: "enum-changed", location: "LimitTypeV1", breaking: true, detail: 'values added: "IMAGE"' },
    ]);
  });

  it("reports a value removed from a query parameter's enum as breaking, an added one as not", () => {
    const before = management();
    const after = management();
    const order = (doc: typeof before) =>
      doc.paths["/v1/model_apis"].get.parameters.push({
        name: "order",
        in: "query",
        schema: { type: "string", enum: ["name", "price"] },
      });
    order(before);
    order(after);
    after.paths["/v1/model_apis"].get.parameters.at(-1).schema.enum = ["name", "date"];

    expect(brief(diffSpecs(before, after))).toEqual([
      { kind: "enum-changed", location: "GET /v1/model_apis query order", breaking: false },
      { kind: "enum-changed", location: "GET /v1/model_apis query order", breaking: true },
    ]);
  });

  it("reports a field becoming nullable and a changed minimum, each as breaking for readers", () => {
    const before = management();
    before.components.schemas.RateLimitV1.properties.threshold.minimum = 1;
    const after = management();
    after.components.schemas.ModelAPIV1.properties.context_length.type = ["integer", "null"];

    expect(diffSpecs(before, after)).toEqual([
      { kind: "nullability-changed", location: "ModelAPIV1.context_length", breaking: true, detail: "now nullable" },
      { kind: "constraint-changed", location: "RateLimitV1.threshold", breaking: true, detail: "minimum 1 → 0" },
    ]);
  });

  it("compares constraints inside anyOf members, such as a price string's pattern", () => {
    const after = management();
    after.components.schemas.ModelAPIV1.properties.cost_per_million_input_tokens.anyOf[1].pattern = "^\\d+$";

    expect(brief(diffSpecs(management(), after))).toEqual([
      { kind: "constraint-changed", location: "ModelAPIV1.cost_per_million_input_tokens (string)", breaking: true },
    ]);
  });

  it("looks inside allOf members for changes", () => {
    const before = management();
    before.components.schemas.Wrapped = {
      allOf: [
        { $ref: "#/components/schemas/RateLimitV1" },
        { type: "object", properties: { note: { type: "string" } } },
      ],
    };
    const after = structuredClone(before);
    after.components.schemas.Wrapped.allOf[1].properties.note.maxLength = 10;

    expect(brief(diffSpecs(before, after))).toEqual([
      { kind: "constraint-changed", location: "Wrapped (allOf 1).note", breaking: true },
    ]);
  });

  it("compares $ref targets by name and does not inline them", () => {
    const after = management();
    // The referenced schema changes, so only it is reported, not every property pointing at it.
    after.components.schemas.ModelAPIOrgDetailsV1.properties.added_at.type = "integer";
    after.components.schemas.RateLimitV1.properties.unit.$ref = "#/components/schemas/LimitTypeV1";

    expect(brief(diffSpecs(management(), after))).toEqual([
      { kind: "type-changed", location: "ModelAPIOrgDetailsV1.added_at", breaking: true },
      { kind: "type-changed", location: "RateLimitV1.unit", breaking: true },
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
    expect(changes).toContainEqual({ kind: "required-changed", location: "ModelAPIV1.context_length", breaking: true });
    expect(changes).toContainEqual({ kind: "required-changed", location: "ModelAPIV1.model_family", breaking: false });
    expect(brief(diffSpecs(before, after))).toEqual([
      { kind: "property-added", location: "ModelAPICreateV1.region", breaking: true },
    ]);
  });

  it("reports reworded descriptions and summaries where they are, as documentation only", () => {
    const after = management();
    after.components.schemas.ModelAPIV1.properties.context_length.description = "Context window, in tokens.";
    after.paths["/v1/model_apis"].get.summary = "List the Model API catalog";

    expect(diffSpecs(management(), after)).toEqual([
      { kind: "docs-changed", location: "GET /v1/model_apis", breaking: false, detail: "summary changed" },
      { kind: "docs-changed", location: "ModelAPIV1.context_length", breaking: false, detail: "description changed" },
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

  it("finds exactly what broke between the excerpt the repository kept and the whole document", () => {
    const breaking = diffSpecs(excerpt(), management()).filter((c) => c.breaking);

    expect(breaking).toEqual([
      {
        kind: "enum-changed",
        location: "LimitTypeV1",
        breaking: true,
        detail: 'values added: "CONCURRENT_REQUEST", "UNCACHED_INPUT_TOKEN", "OUTPUT_TOKEN"',
      },
      {
        kind: "nullability-changed",
        location: "ModelAPIV1.cost_per_million_input_tokens",
        breaking: true,
        detail: "now nullable",
      },
      {
        kind: "nullability-changed",
        location: "ModelAPIV1.cost_per_million_output_tokens",
        breaking: true,
        detail: "now nullable",
      },
      { kind: "constraint-changed", location: "RateLimitV1.threshold", breaking: true, detail: "minimum 1 → 0" },
    ]);
  });
});

describe("describeSchema", () => {
  it("describes OpenAPI 3.0 nullable, a 3.1 type array and an anyOf with null the same", () => {
    const expected = "null | string";
    expect(describeSchema({ type: "string", nullable: true })).toBe(expected);
    expect(describeSchema({ type: ["string", "null"] })).toBe(expected);
    expect(describeSchema({ anyOf: [{ type: "null" }, { oneOf: [{ type: "string" }] }] })).toBe(expected);
  });

  it("describes arrays and refs by name, enums by value and objects as object, so lines stay short", () => {
    expect(describeSchema({ type: "array", items: { $ref: "#/components/schemas/Tag" } })).toBe("array<Tag>");
    expect(describeSchema({ type: "string", enum: ["B", "A"] })).toBe('"A" | "B"');
    expect(describeSchema({ type: "object", properties: { id: { type: "integer" } } })).toBe("object");
  });
});
