// Scenario 6: listing 10,000 Model APIs with core's async iterator vs a hand-written fetch loop.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createBasetenClient } from "@baseten-edge/core";
import { startUpstream } from "../processes.ts";
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { elapsedMs, fmt, fmtSummary, interleave, paired, summarize } from "../stats.ts";

const ROWS = 10_000;
const PAGE = 1_000;
const headers = { authorization: "Bearer emulator-key" };

export async function coreList(settings: Settings): Promise<Row[]> {
  const upstream = await startUpstream({ models: ROWS - 10 });
  const client = createBasetenClient({ apiKey: "emulator-key", baseUrl: upstream.url });

  async function viaCore(onPage?: () => void): Promise<number> {
    let rows = 0;
    for await (const _model of client.modelApis.list({ limit: PAGE })) {
      if (++rows % PAGE === 0) onPage?.();
    }
    return rows;
  }
  async function byHand(): Promise<number> {
    let rows = 0;
    let cursor: string | null = null;
    do {
      const response = await fetch(
        `${upstream.url}/v1/model_apis?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { headers },
      );
      if (!response.ok) throw new Error(`page answered ${response.status}`);
      const page = (await response.json()) as {
        items: unknown[];
        pagination: { has_more: boolean; cursor: string | null };
      };
      rows += page.items.length;
      cursor = page.pagination.has_more ? page.pagination.cursor : null;
    } while (cursor);
    return rows;
  }
  const timed = (list: () => Promise<number>) => () =>
    elapsedMs(async () => {
      const rows = await list();
      if (rows !== ROWS) throw new Error(`listed ${rows} rows, expected ${ROWS}`);
    });
  const runs = await interleave(settings.rounds, { core: timed(() => viaCore()), byHand: timed(byHand) });
  const ratio = paired(runs.core, runs.byHand, (a, b) => a / b);

  // Memory: heap after a full GC at each page boundary. Holding every row would grow it by a page
  // per page; a bounded iterator stays within about one page of where it started.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // One page's JSON text is the yardstick: its parsed rows take at least as much heap.
  const pageBytes = Buffer.byteLength(
    await (await fetch(`${upstream.url}/v1/model_apis?limit=${PAGE}`, { headers })).text(),
  );
  const heap: number[] = [];
  await viaCore(() => {
    gc();
    heap.push(process.memoryUsage().heapUsed);
  });
  await upstream.stop();
  const growth = Math.max(...heap) - heap[0]!;
  const bounded = growth <= pageBytes;
  const mb = (n: number) => `${fmt(n / 1e6, 2)} MB`;
  return [
    {
      id: "6",
      scenario: `core: list ${ROWS.toLocaleString("en")} models (limit ${PAGE}) against the emulator`,
      baseline: "hand-written fetch loop",
      measured: `${fmtSummary(summarize(runs.core), 1, " ms")} = ${fmtSummary(ratio)}×; heap growth over 10 pages ${mb(growth)} (one page of JSON ${mb(pageBytes)})`,
      reference: fmtSummary(summarize(runs.byHand), 1, " ms"),
      target: "≤ 1.05× time; memory bounded by one page",
      verdict: verdict(ratio.median <= 1.05 && bounded),
      raw: { coreMs: runs.core, byHandMs: runs.byHand, heapAtPageBoundaries: heap, onePageHeapBytes: pageBytes },
    },
  ];
}
