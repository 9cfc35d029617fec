// One row per target: the markdown table printed and written to bench/results/latest.{md,json}.
import { mkdirSync, writeFileSync } from "node:fs";

export type Verdict = "met" | "missed" | "FAIL";

export interface Row {
  /** Scenario number from the issue, with a letter when a scenario has several targets. */
  id: string;
  scenario: string;
  baseline: string;
  /** What the subject measured, with its spread over rounds. */
  measured: string;
  /** The same figure for the baseline. */
  reference: string;
  target: string;
  verdict: Verdict;
  /** Every raw figure behind the row (per-round values), for latest.json. */
  raw: Record<string, unknown>;
}

/** A row for a scenario that could not run at all. */
export function failedRow(id: string, scenario: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return {
    id,
    scenario,
    baseline: "",
    measured: `FAIL: ${message.replaceAll("|", "/").split("\n")[0]}`,
    reference: "",
    target: "",
    verdict: "FAIL",
    raw: { error: message },
  };
}

export const verdict = (ok: boolean): Verdict => (ok ? "met" : "missed");

export function renderTable(rows: readonly Row[], header: string): string {
  const lines = [
    header,
    "",
    "| # | scenario | measured (median of rounds, min…max) | baseline in the same run | target | verdict |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.scenario} | ${r.measured} | ${r.baseline}${r.reference ? `: ${r.reference}` : ""} | ${r.target} | ${r.verdict === "met" ? "met" : r.verdict === "missed" ? "**missed**" : "**FAIL**"} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Writes `<name>.md` and `<name>.json` into `dir`. */
export function writeResults(dir: URL, name: string, table: string, json: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.md`, dir), table);
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(json, null, 2)}\n`);
}
