// The page's HTML: the table, the filters, the chart and, when the caller is unknown, the key form.
import { CATALOG_FEATURES } from "@baseten-edge/core";
import { chart } from "./chart.ts";
import { html, Safe } from "./escape.ts";
import { formatPrice, formatRate, formatTokens } from "./format.ts";
import type { PageRow } from "./rows.ts";

export interface PageState {
  /** The rows to show, or null when the page must first ask for a key. */
  rows: PageRow[] | null;
  /** What the key form asks for: a Baseten key (pass-through) or a gateway token (operator). */
  credential: "Baseten API key" | "gateway token";
  /** A message to show instead of (or above) the table: why there is no catalog. */
  notice?: string;
}

/** Sort keys: what each column's `data-v` holds, so the script can sort without parsing text. */
const COLUMNS = [
  ["Model", "text"],
  ["Family", "text"],
  ["Context", "number"],
  ["Input $/1M", "number"],
  ["Output $/1M", "number"],
  ["Requests/min", "number"],
  ["Tokens/min", "number"],
  ["Capabilities", "text"],
  ["Modalities", "text"],
  ["Added", "text"],
] as const;

/** The whole page; `script` and `style` are the exact texts whose hashes the CSP allows. */
export function documentHtml(state: PageState, style: string, script: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Baseten Model APIs</title>
<link rel="icon" href="data:,">
<style>${inline(style)}</style>
</head>
<body>
<header><h1>Baseten Model APIs</h1><p>Served by this gateway from Baseten's catalog, joined with <code>/v1/models</code>. Prices are dollars per million tokens.</p></header>
<main>
${keyForm(state.credential)}
<section id="catalog">${catalogSection(state)}</section>
</main>
<script>${inline(script)}</script>
</body>
</html>`.value;
}

/** The catalog part alone: the script swaps it in after loading the page again with the key. */
function catalogSection(state: PageState): Safe {
  const notice = state.notice ? html`<p class="notice" role="alert">${state.notice}</p>` : "";
  if (!state.rows) return html`${notice}`;
  return html`${notice}${filters()}<p id="count" role="status">${state.rows.length} of ${state.rows.length} models</p>
${table(state.rows)}
${chart(state.rows)}`;
}

/** Hidden until the script runs: without it the key would have nowhere safe to go. */
function keyForm(credential: PageState["credential"]): Safe {
  return html`<form id="key-form" class="key" hidden data-credential="${credential}">
<label for="key">Your ${credential}</label>
<input id="key" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Show my catalog</button>
<button type="button" id="forget">Forget key</button>
<p class="hint">Kept only in this tab (sessionStorage) and sent only in the <code>Authorization</code> header.</p>
</form>
<noscript><p class="notice">Without JavaScript this page cannot send your ${credential}; call <code>/v1/model_apis</code> with it instead.</p></noscript>`;
}

function filters(): Safe {
  return html`<form id="filters" class="filters" hidden role="search" aria-label="Filter models">
<label>Search <input id="q" type="search" placeholder="name, family, description"></label>
<fieldset><legend>Capabilities</legend>${CATALOG_FEATURES.map(
    (f) => html`<label><input type="checkbox" name="feature" value="${f}"> ${f.replace("_", " ")}</label>`,
  )}</fieldset>
<label>Min context (tokens) <input id="min-context" type="number" min="0" step="1024"></label>
<label>Max input $/1M <input id="max-input" type="number" min="0" step="0.01"></label>
<label>Max output $/1M <input id="max-output" type="number" min="0" step="0.01"></label>
</form>`;
}

function table(rows: readonly PageRow[]): Safe {
  return html`<div class="scroll"><table id="models">
<caption>Model APIs: select a column heading to sort</caption>
<thead><tr>${COLUMNS.map(
    ([label, kind], i) =>
      html`<th scope="col" aria-sort="${i === 0 ? "ascending" : "none"}" data-kind="${kind}"><button type="button">${label}</button></th>`,
  )}</tr></thead>
<tbody>${rows.map(row)}</tbody>
</table></div>`;
}

function row(r: PageRow): Safe {
  const tokens = r.limits.tokensPerMinute;
  const features = r.features.join(" ");
  return html`<tr data-row="${r.name}" data-features="${features}" data-search="${`${r.displayName} ${r.name} ${r.family ?? ""} ${r.description}`.toLowerCase()}">
<th scope="row" data-v="${r.displayName.toLowerCase()}"><span class="name">${r.displayName}</span><code>${r.name}</code><span class="description">${r.description}</span></th>
<td data-v="${(r.family ?? "").toLowerCase()}">${r.family ?? "–"}</td>
<td data-v="${r.contextLength}">${formatTokens(r.contextLength)}</td>
${price(r.inputPrice)}${price(r.outputPrice)}
<td data-v="${r.limits.requestsPerMinute ?? ""}">${formatRate(r.limits.requestsPerMinute)}</td>
<td data-v="${tokens ?? ""}">${formatRate(tokens)}</td>
<td data-v="${features}">${r.features.length ? r.features.map((f) => html`<span class="tag">${f.replace("_", " ")}</span>`) : "–"}</td>
<td data-v="${r.inputModalities.join(" ")}">${modalities(r)}</td>
<td data-v="${r.added === null ? "" : r.added ? "yes" : "no"}">${r.added === null ? "–" : r.added ? "yes" : "no"}</td>
</tr>`;
}

function price(value: string | null): Safe {
  return value === null
    ? html`<td data-v="" class="unknown">unknown</td>`
    : html`<td data-v="${value}">${formatPrice(value)}</td>`;
}

function modalities(r: PageRow): string {
  if (!r.inputModalities.length && !r.outputModalities.length) return "–";
  return `${r.inputModalities.join(", ") || "?"} → ${r.outputModalities.join(", ") || "?"}`;
}

/** The inline style and script: our own constants, inserted verbatim so their CSP hashes match. */
function inline(text: string): Safe {
  if (/<\/(script|style)/i.test(text)) throw new Error("inline text must not close its element");
  return new Safe(text);
}
