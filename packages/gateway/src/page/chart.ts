// The chart: output price against context length, one labelled point per model, as SVG written here
// (a chart library would cost more bytes than the page itself), with a text alternative beside it.
import { html, type Safe } from "./escape.ts";
import { formatPrice, formatTokens } from "./format.ts";
import type { PageRow } from "./rows.ts";

const WIDTH = 760;
const HEIGHT = 380;
const MARGIN = { left: 64, right: 150, top: 16, bottom: 48 };
/** Past this many points the labels would cover each other: points keep their tooltips and the text list. */
const MAX_LABELS = 40;

interface Point {
  row: PageRow;
  x: number;
  y: number;
}

/** The figure: the SVG (one image to assistive technology, named by the caption), and the points as text. */
export function chart(rows: readonly PageRow[]): Safe {
  const priced = rows.filter((row) => row.outputPrice !== null && row.contextLength > 0);
  const unpriced = rows.filter((row) => !priced.includes(row));
  const { points, xTicks, yTicks } = layout(priced);
  return html`<figure class="chart" aria-labelledby="chart-caption">
<figcaption id="chart-caption">Output price per million tokens against context length (${priced.length} priced ${plural(priced.length, "model")}${unpriced.length ? html`; ${unpriced.length} without a price ${unpriced.length === 1 ? "is" : "are"} left out` : ""})</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-caption" focusable="false">
<g class="axis">${axes(xTicks, yTicks)}</g>
<g class="points">${placeLabels(points).map(([p, labelY]) => point(p, labelY))}</g>
</svg>
<details><summary>The chart as text</summary><ul class="chart-text">${priced.map(
    (row) =>
      html`<li data-row="${row.name}">${row.displayName}: ${formatPrice(row.outputPrice)} per million output tokens, ${formatTokens(row.contextLength)} tokens of context</li>`,
  )}${unpriced.map((row) => html`<li data-row="${row.name}">${row.displayName}: price unknown, ${formatTokens(row.contextLength)} tokens of context</li>`)}</ul></details>
</figure>`;
}

/** Context length on a log₂ axis (windows double), price on a linear one from zero. */
function layout(rows: readonly PageRow[]) {
  const contexts = rows.map((row) => Math.log2(row.contextLength));
  const prices = rows.map((row) => Number(row.outputPrice));
  // One doubling of room either side of the data (from 1K when there is none).
  const xMin = rows.length ? Math.floor(Math.min(...contexts)) - 1 : 10;
  const xMax = Math.max(Math.ceil(Math.max(...contexts, xMin)) + 1, xMin + 2);
  const yMax = niceCeiling(Math.max(...prices, 0.01));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (log: number) => MARGIN.left + ((log - xMin) / (xMax - xMin)) * plotW;
  const y = (price: number) => MARGIN.top + plotH - (price / yMax) * plotH;
  const points: Point[] = rows.map((row, i) => ({ row, x: x(contexts[i] ?? xMin), y: y(prices[i] ?? 0) }));
  const xTicks: [number, string][] = [];
  for (let log = xMin; log <= xMax; log++) xTicks.push([x(log), formatTokens(2 ** log)]);
  const yTicks: [number, string][] = [0, 0.25, 0.5, 0.75, 1].map((f) => [y(f * yMax), formatPrice(trimmed(f * yMax))]);
  return { points, xTicks, yTicks };
}

function axes(xTicks: readonly [number, string][], yTicks: readonly [number, string][]): Safe {
  const bottom = HEIGHT - MARGIN.bottom;
  const right = WIDTH - MARGIN.right;
  return html`<line x1="${MARGIN.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>
<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}"/>
${xTicks.map(([x, label]) => html`<text x="${x.toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${label}</text>`)}
${yTicks.map(([y, label]) => html`<line class="grid" x1="${MARGIN.left}" y1="${y.toFixed(1)}" x2="${right}" y2="${y.toFixed(1)}"/><text x="${MARGIN.left - 8}" y="${(y + 4).toFixed(1)}" text-anchor="end">${label}</text>`)}
<text x="${(MARGIN.left + right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">context length (tokens, log scale)</text>
<text x="14" y="${(MARGIN.top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(MARGIN.top + bottom) / 2})">$ per 1M output tokens</text>`;
}

/**
 * Where each point's label goes: beside it, or a line below or above when that spot is taken;
 * no label (the tooltip and the text list remain) when none is free or there are too many points.
 */
function placeLabels(points: readonly Point[]): [Point, number | null][] {
  if (points.length > MAX_LABELS) return points.map((p) => [p, null]);
  const placed: { left: number; right: number; top: number; bottom: number }[] = [];
  const byHeight = [...points].sort((a, b) => a.y - b.y);
  const chosen = new Map<Point, number | null>();
  for (const p of byHeight) {
    const left = p.x + 8;
    const right = left + 6.5 * p.row.displayName.length;
    const free = [4, 16, -8, 28]
      .map((dy) => p.y + dy)
      .find((baseline) => {
        const box = { left, right, top: baseline - 10, bottom: baseline + 2 };
        return !placed.some(
          (o) => box.left < o.right && o.left < box.right && box.top < o.bottom && o.top < box.bottom,
        );
      });
    if (free !== undefined) placed.push({ left, right, top: free - 10, bottom: free + 2 });
    chosen.set(p, free ?? null);
  }
  return points.map((p) => [p, chosen.get(p) ?? null]);
}

function point({ row, x, y }: Point, labelY: number | null): Safe {
  const label =
    labelY === null ? "" : html`<text x="${(x + 8).toFixed(1)}" y="${labelY.toFixed(1)}">${row.displayName}</text>`;
  return html`<g class="point" data-row="${row.name}"><circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5"><title>${row.displayName}: ${formatPrice(row.outputPrice)}, ${formatTokens(row.contextLength)}</title></circle>${label}</g>`;
}

/** The next of 1, 2, 5 × 10ⁿ at or above `value`, so the axis reads in round numbers. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function trimmed(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
