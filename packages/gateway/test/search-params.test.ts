// Search parameters are validated once, in searchParams: whatever it accepts, core's searchCatalog accepts too.
import { describe, expect, it } from "vitest";
import { searchParams, searchResponse } from "../src/search.ts";

const VALUES: Record<string, string[]> = {
  order_by: ["", "name", "created_at", "input_price", "context_length", "bogus", "__proto__", "constructor"],
  direction: ["", "asc", "desc", "ASC", "sideways"],
  page: ["", "0", "-5", "+3", "1", "999999999", "1e3", "x"],
  min_context: ["", "0", "128000", "-1", "1.5"],
  feature: ["", "tools", "tools,vision", " tools , vision ", "teleport", ","],
  max_input_price: ["", "0", "0.13", "1e3", "-1", "999999999999999999999.000000001"],
  max_output_price: ["", "2", ".5", "abc"],
  query: ["", "deepseek", "x".repeat(201)],
};

/**
 * Primes, one per parameter: none divides any list's length (all under 11 values), so each
 * parameter's index `i * stride` runs through every one of its values, each parameter at its own pace.
 */
const STRIDES = [11, 13, 17, 19, 23, 29, 31, 37];

/** A deterministic spread of combinations (every value of every parameter appears; checked below). */
function* queries(): Generator<URLSearchParams> {
  const names = Object.keys(VALUES);
  for (let i = 0; i < 400; i++) {
    const query = new URLSearchParams();
    for (const [n, name] of names.entries()) {
      const values = VALUES[name] as string[];
      query.set(name, values[(i * (STRIDES[n] as number) + n) % values.length] as string);
    }
    yield query;
  }
}

describe("search parameters, validated once", () => {
  it("tries every value of every parameter", () => {
    expect(STRIDES.length).toBeGreaterThanOrEqual(Object.keys(VALUES).length);
    const seen = new Map<string, Set<string>>();
    for (const query of queries()) {
      for (const [name, value] of query) seen.set(name, (seen.get(name) ?? new Set()).add(value));
    }
    for (const [name, values] of Object.entries(VALUES))
      expect([...(seen.get(name) ?? [])].sort()).toEqual([...new Set(values)].sort());
  });

  it("never hands core options it refuses", () => {
    let accepted = 0;
    let refused = 0;
    for (const query of queries()) {
      const parsed = searchParams(query);
      if (!parsed.ok) {
        refused++;
        expect(parsed.message).toMatch(/must|too long/);
        continue;
      }
      accepted++;
      expect(() => searchResponse([], [], parsed.options)).not.toThrow();
    }
    // Both branches ran: the spread is not all-valid or all-invalid.
    expect(accepted).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });

  it("treats Object's own property names as unknown orderings (the default), not as orderings", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const parsed = searchParams(new URLSearchParams({ order_by: name }));
      expect(parsed.ok && parsed.options.orderBy).toBe("release_date");
    }
  });
});
