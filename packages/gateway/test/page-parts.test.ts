// The page's pure parts: escaping, number formats and the chart's edge cases.
import { describe, expect, it } from "vitest";
import { chart } from "../src/page/chart.ts";
import { escapeHtml, html, Safe } from "../src/page/escape.ts";
import { formatPrice, formatRate, formatTokens } from "../src/page/format.ts";
import type { PageRow } from "../src/page/rows.ts";

const row = (name: string, contextLength: number, outputPrice: string | null): PageRow => ({
  name,
  displayName: name.toUpperCase(),
  family: null,
  description: "",
  contextLength,
  inputPrice: outputPrice,
  outputPrice,
  limits: {
    requestsPerMinute: null,
    tokensPerMinute: null,
    uncachedInputTokensPerMinute: null,
    outputTokensPerMinute: null,
    concurrentRequests: null,
    unrecognised: [],
  },
  features: [],
  inputModalities: [],
  outputModalities: [],
  added: null,
});

describe("escaping", () => {
  it("escapes the five characters that can end text or an attribute", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it("escapes every interpolated value, in lists too, and only Safe values pass as markup", () => {
    const evil = "<img onerror=x>";
    expect(html`<p title="${evil}">${[evil, html`<b>${evil}</b>`]}</p>`.value).toBe(
      '<p title="&lt;img onerror=x&gt;">&lt;img onerror=x&gt;<b>&lt;img onerror=x&gt;</b></p>',
    );
    expect(html`${new Safe("<br>")}${null}${undefined}${0}`.value).toBe("<br>0");
  });
});

describe("number formats", () => {
  it.each([
    [131072, "128K"],
    [1048576, "1M"],
    [128000, "128K"],
    [202752, "198K"],
    [202800, "202.8K"],
    [512, "512"],
  ])("%d tokens read %s", (tokens, text) => {
    expect(formatTokens(tokens)).toBe(text);
  });

  it.each([
    ["0.6", "$0.60"],
    ["3", "$3.00"],
    ["0.125", "$0.125"],
    [null, "unknown"],
  ] as const)("the price %s reads %s", (price, text) => {
    expect(formatPrice(price)).toBe(text);
  });

  it("shortens rates and shows a missing limit as a dash", () => {
    expect([formatRate(1_200_000), formatRate(100_000), formatRate(15), formatRate(null)]).toEqual([
      "1.2M",
      "100K",
      "15",
      "–",
    ]);
  });
});

describe("the chart", () => {
  it("plots priced rows only and lists every row in its text alternative", () => {
    const svg = chart([row("a", 131072, "0.5"), row("b", 262144, "2"), row("c", 8192, null)]).value;
    expect(svg.match(/<g class="point"/g)).toHaveLength(2);
    expect(svg.match(/<li data-row=/g)).toHaveLength(3);
    expect(svg).toContain("C: price unknown");
    expect(svg).toContain("1 without a price is left out");
    expect(svg).not.toContain("NaN");
  });

  it.each([
    ["no rows", []],
    ["no priced rows", [row("a", 4096, null)]],
    ["one row", [row("a", 131072, "0")]],
    ["equal rows", [row("a", 1024, "1"), row("b", 1024, "1")]],
  ])("draws finite axes with %s", (_, rows) => {
    const svg = chart(rows).value;
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("moves a label that would cover another one", () => {
    const svg = chart([row("a", 131072, "1"), row("b", 131072, "1"), row("c", 8192, "3")]).value;
    const baselines = [...svg.matchAll(/<\/circle><text x="[\d.]+" y="([\d.]+)">/g)].map((m) => m[1]);
    expect(baselines).toHaveLength(3);
    expect(new Set(baselines).size).toBe(3);
  });

  it("stops labelling points once there are too many to read", () => {
    const many = Array.from({ length: 41 }, (_, i) => row(`m${i}`, 1024 * (i + 1), "1"));
    expect(chart(many).value).not.toMatch(/<\/circle><text/);
    expect(chart(many.slice(0, 40)).value).toMatch(/<\/circle><text/);
  });
});
